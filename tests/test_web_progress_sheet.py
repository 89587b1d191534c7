"""A liaison's progress sheet in the workspace: download it, fill it, upload it, see the dry run
(every change, every problem by row), confirm; in process over a real SQLite file."""
from __future__ import annotations

import csv
import io
import re

from test_bulk_progress import as_csv, monitoring
from webkit import PASSWORD, audit_count, client, csrf_of, sign_in

from storage.models import Activity


def signed_in(db, clock, *handles):
    p = monitoring(db, clock)
    for h in ("coord", *handles):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    c = client(db, clock)
    sign_in(c, "p", handles[0] if handles else "coord")
    return p, c


def rows_of(body: bytes) -> list[dict]:
    rows = list(csv.reader(io.StringIO(body.decode())))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def percent(db, key: str) -> int:
    from sqlmodel import Session, select

    with Session(db) as s:
        return s.exec(select(Activity.percent).where(Activity.key == key)).one()


def test_a_liaison_downloads_fills_checks_and_confirms_its_sheet(sqlite_db, clock):
    p, c = signed_in(sqlite_db, clock, "enlace")
    dash = c.get("/w/p").text
    assert 'href="/w/p/progress-sheet"' in dash
    page = c.get("/w/p/progress-sheet")
    assert page.status_code == 200 and 'href="/w/p/progress-sheet/igualdad.xlsx"' in page.text
    assert "salud" not in page.text  # only its own agency
    sheet = c.get("/w/p/progress-sheet/igualdad.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    assert "attachment" in sheet.headers["content-disposition"]
    xlsx = c.get("/w/p/progress-sheet/igualdad.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:4] == b"PK\x03\x04"
    assert c.get("/w/p/progress-sheet/salud.csv").status_code == 404  # another agency's sheet
    assert c.get("/w/p/progress-sheet/igualdad.ods").status_code == 404
    rows = rows_of(sheet.content)
    rows[0].update(status="in_progress", percent="25")
    rows[1].update(percent="30")                           # row 3: down without a reason
    rows.append({"activity": "s1", "status": "in_progress", "percent": "5"})  # row 7: another agency's
    before = audit_count(sqlite_db)
    r = c.post("/w/p/progress-sheet", data={"csrf": csrf_of(page.text)},
               files={"file": ("avance.csv", as_csv(rows), "text/csv")})
    assert r.status_code == 200, r.text
    assert audit_count(sqlite_db) == before and percent(sqlite_db, "a1") == 0  # a dry run: nothing recorded
    problems = r.text.split('id="problems"')[1].split("</div>")[0]
    assert "Fila 3: " in problems and "progress_never_drops_without_reason" in problems
    assert "Fila 7: " in problems and "liaison_other_agency" in problems
    changes = r.text.split('id="changes"')[1].split("</table>")[0]
    assert "Publicar" in changes and "sin iniciar, 0 %" in changes and "en curso, 25 %" in changes
    assert 'id="confirm"' not in r.text  # nothing to confirm while a row is bad
    # fixed, checked again, and confirmed
    rows[1].update(percent="60")
    rows.pop()
    r = c.post("/w/p/progress-sheet", data={"csrf": csrf_of(page.text)},
               files={"file": ("avance.csv", as_csv(rows), "text/csv")})
    assert r.status_code == 200 and 'id="problems"' not in r.text and 'id="confirm"' in r.text
    confirm = r.text.split('id="confirm"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', confirm))
    assert audit_count(sqlite_db) == before
    done = c.post("/w/p/progress-sheet", data=fields)
    assert done.status_code == 303 and done.headers["location"] == "/w/p"
    assert audit_count(sqlite_db) == before + 1 and percent(sqlite_db, "a1") == 25
    assert "Se registró la hoja de avances: actividades con cambios: 1; sin cambios: 4." in c.get("/w/p").text


def test_the_sheet_page_refuses_what_it_should(sqlite_db, clock):
    p, c = signed_in(sqlite_db, clock, "enlace")
    page = c.get("/w/p/progress-sheet")
    no_csrf = c.post("/w/p/progress-sheet", files={"file": ("a.csv", b"activity,status,percent\n", "text/csv")})
    assert no_csrf.status_code == 403 and "csrf_failed" in no_csrf.text
    empty = c.post("/w/p/progress-sheet", data={"csrf": csrf_of(page.text)})
    assert empty.status_code == 400 and "sheet_missing" in empty.text
    big = c.post("/w/p/progress-sheet", data={"csrf": csrf_of(page.text)},
                 files={"file": ("a.csv", b"activity,status,percent\n" + b"a1,in_progress,5\n" * 70000, "text/csv")})
    assert big.status_code == 400 and "sheet_too_large" in big.text
    bad = c.post("/w/p/progress-sheet", data={"csrf": csrf_of(page.text)},
                 files={"file": ("a.csv", b"actividad,estado\n", "text/csv")})
    assert bad.status_code == 400 and "import_columns_unknown" in bad.text
    # a tampered confirmation is checked again by the action: refused, nothing recorded
    before = audit_count(sqlite_db)
    import base64
    forged = base64.b64encode(as_csv([{"activity": "s1", "status": "completed", "percent": "100"}])).decode()
    r = c.post("/w/p/progress-sheet", data={"csrf": csrf_of(page.text), "confirm": "1", "name": "x.csv",
                                             "sheet": forged})
    assert r.status_code == 409 and "liaison_other_agency" in r.text and audit_count(sqlite_db) == before


def test_a_member_has_no_sheet_and_a_coordinator_has_every_agencys(sqlite_db, clock):
    p, c = signed_in(sqlite_db, clock, "gob")
    r = c.get("/w/p/progress-sheet")
    assert r.status_code == 403 and "actor_not_allowed" in r.text and 'id="upload"' not in r.text
    coord = client(sqlite_db, clock)
    sign_in(coord, "p", "coord")
    page = coord.get("/w/p/progress-sheet").text
    assert 'href="/w/p/progress-sheet/salud.csv"' in page and 'href="/w/p/progress-sheet/igualdad.csv"' in page
    assert coord.get("/w/p/do/import_progress").headers["location"] == "/w/p/progress-sheet"
    assert 'href="/w/p/progress-sheet"' in coord.get("/w/p").text
