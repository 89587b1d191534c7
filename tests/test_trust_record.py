"""A record anyone can verify (issue 12): the head of each process's audit chain is published
(public page, open data, Atom feed, API, ``cocrea audit verify``), and a head published earlier
catches a rewritten tail (``--expect``).

Every test runs the real actions on a real database (SQLite file and PostgreSQL where the
``db`` fixture gives both) and tampers with rows the way an intruder with database access would.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET

import pytest
from builders import Proc
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session, select
from webkit import client

from cli.main import main
from reads import status as queries
from reads.public import public_view
from stages.errors import AuditBroken
from storage import make_engine
from storage import models as m

ATOM = "{http://www.w3.org/2005/Atom}"


def _sql(db, statement: str, **params) -> None:
    with db.begin() as conn:
        conn.execute(text(statement), params)


def _newest(db, slug: str = "p") -> m.AuditEntry:
    with Session(db) as s:
        pid = s.exec(select(m.Process.id).where(m.Process.slug == slug)).one()
        return s.exec(select(m.AuditEntry).where(m.AuditEntry.process_id == pid)
                      .order_by(m.AuditEntry.seq.desc())).first()


def _cli(url: str, *args: str):
    return CliRunner().invoke(main, ["--db", url, *args])


# --- the head, published -------------------------------------------------------------------

def test_the_head_is_published_on_the_page_open_data_feed_and_api(sqlite_db, clock):
    p = Proc(sqlite_db, clock)
    p("add_agency", key="sfp", name="Secretaría de la Función Pública")
    newest = _newest(sqlite_db)
    assert newest.seq == 5
    c = client(sqlite_db, clock)
    page = c.get("/p/p").text
    assert f'<code id="audit-head" class="code hash">{newest.hash}</code>' in page
    assert f"cocrea audit verify p --expect {newest.hash}" in page
    data = c.get("/p/p/data.json").json()
    assert data["audit"] | {"at": None} == {"process": "p", "seq": 5, "head": newest.hash, "at": None,
                                            "algorithm": "sha256"}
    assert data["audit"]["at"].startswith(newest.at.astimezone(m.dt.timezone(m.dt.timedelta(hours=-6))).isoformat()[:16])
    rows = list(csv.DictReader(io.StringIO(c.get("/p/p/data/audit.csv").text)))
    assert [(r["seq"], r["head"]) for r in rows] == [("5", newest.hash)]
    assert c.get("/p/p/data/audit.json").json()[0]["head"] == newest.hash
    feed = ET.fromstring(c.get("/p/p/feed.atom").content)
    assert newest.hash in feed.find(f"{ATOM}subtitle").text
    assert c.get("/api/processes/p").json()["audit"]["head"] == newest.hash
    # a new action moves the head everywhere (the pages are cached by it)
    p("add_agency", key="inai", name="INAI")
    moved = _newest(sqlite_db)
    assert moved.seq == 6 and moved.hash != newest.hash
    assert f">{moved.hash}</code>" in c.get("/p/p").text
    assert c.get("/p/p/data.json").json()["audit"]["head"] == moved.hash


def test_the_english_page_explains_the_head_too(sqlite_db, clock):
    Proc(sqlite_db, clock)
    c = client(sqlite_db, clock)
    assert "Un registro que cualquiera puede verificar" in c.get("/p/p").text
    assert "A record anyone can verify" in c.get("/p/p?lang=en").text


def test_cocrea_audit_verify_prints_the_head_and_gives_it_as_json(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    db = make_engine(url)
    assert _cli(url, "db", "upgrade").exit_code == 0
    Proc(db, clock, slug="a")
    Proc(db, clock, slug="b")
    heads = {slug: _newest(db, slug) for slug in ("a", "b")}
    out = _cli(url, "audit", "verify")
    assert out.exit_code == 0, out.output
    assert "8 entradas verificadas" in out.output
    for e in heads.values():
        assert f"cabeza (entrada 4, {e.at:%Y-%m-%d %H:%M} UTC): {e.hash}" in out.output
    data = json.loads(_cli(url, "audit", "verify", "--json").output)
    assert data["intact"] is True
    assert {slug: (v["entries"], v["seq"], v["head"]) for slug, v in data["processes"].items()} == \
        {slug: (4, 4, e.hash) for slug, e in heads.items()}
    # broken: the JSON says so, names the process, exit 4
    _sql(db, "UPDATE audit_entry SET actor = 'intruso' WHERE seq = 2 AND process_id = "
             "(SELECT id FROM process WHERE slug = 'b')")
    broken = _cli(url, "--lang", "en", "audit", "verify", "--json")
    assert broken.exit_code == 4
    data = json.loads(broken.output)
    assert data["intact"] is False and [r["code"] for r in data["reasons"]] == ["audit_columns_altered"]
    assert data["reasons"][0]["message"] == "Audit of b: the columns of entry 2 do not match its signed body."
    db.dispose()


def test_the_api_verifies_and_gives_the_head(sqlite_db, clock):
    from workflow.credentials import collecting

    p = Proc(sqlite_db, clock)
    with collecting() as issued:
        p("set_credentials", handle="coord", new_token=True)
    c = client(sqlite_db, clock)
    got = c.get("/api/processes/p/audit", headers={"Authorization": f"Bearer {issued[0].value}"}).json()
    newest = _newest(sqlite_db)
    assert got["p"]["head"] == newest.hash and got["p"]["entries"] == newest.seq == 5


def test_the_api_answers_a_broken_chain_with_a_report_never_a_500(db, clock):
    from workflow.credentials import collecting

    p = Proc(db, clock)
    p("add_agency", key="sfp", name="SFP")
    with collecting() as issued:
        p("set_credentials", handle="coord", new_token=True)
    published = _newest(db).hash
    c = client(db, clock)
    auth = {"Authorization": f"Bearer {issued[0].value}"}
    ok = c.get(f"/api/processes/p/audit?expect={published}", headers=auth)
    assert ok.status_code == 200 and ok.json()["p"]["expected"] == [{"hash": published, "seq": 6, "after": 0}]
    assert c.get("/api/processes/p/audit?expect=abc", headers=auth).status_code == 400  # not a hash

    _sql(db, "UPDATE audit_entry SET actor = 'intruso' WHERE seq = 3")
    broken = c.get("/api/processes/p/audit?lang=en", headers=auth)
    assert broken.status_code == 409, broken.text
    report = broken.json()
    assert report["intact"] is False and report["error"] == "AuditBroken"
    assert [(r["code"], r["details"]) for r in report["reasons"]] == \
        [("audit_columns_altered", {"process": "p", "seq": 3})]
    assert report["reasons"][0]["message"] == "Audit of p: the columns of entry 3 do not match its signed body."

    _sql(db, "DELETE FROM audit_entry")  # the whole trail gone
    gone = c.get("/api/processes/p/audit", headers=auth)
    assert gone.status_code == 409 and [r["code"] for r in gone.json()["reasons"]] == ["audit_chain_empty"]
    assert gone.json()["reasons"][0]["message"].startswith("Bitácora de p: su bitácora no tiene ninguna entrada")
    assert c.get("/openapi.json").json()["paths"]["/api/processes/{slug}/audit"]["get"]["responses"]["409"]


# --- a broken entry names its process ------------------------------------------------------

def test_a_broken_entry_is_named_with_its_process(db, clock):
    Proc(db, clock, slug="norte")
    Proc(db, clock, slug="sur")
    _sql(db, "UPDATE audit_entry SET body = replace(body, 'Integrante gob', 'Otro') WHERE seq = 2 AND process_id = "
             "(SELECT id FROM process WHERE slug = 'sur')")
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db)
    (problem,) = caught.value.reasons
    assert problem.code == "audit_hash_mismatch" and problem.details["process"] == "sur"
    assert problem.message("es") == "Bitácora de sur: la entrada 2 fue alterada (su hash no coincide)."
    assert problem.message("en") == "Audit of sur: entry 2 was altered (its hash does not match)."
    assert queries.verify_audit(db, "norte") == {"norte": 4}


# --- a head published earlier catches a rewritten tail -------------------------------------

def _rewrite_tail(db, slug: str, since: int, edit) -> None:
    """What an intruder with the database does: rewrite entries ``since``.. with ``edit``
    applied to each body, recompute every hash and link after it, and move the process's head
    along, so that the chain alone still verifies."""
    with Session(db) as s:
        proc = s.exec(select(m.Process).where(m.Process.slug == slug)).one()
        trail = list(s.exec(select(m.AuditEntry).where(m.AuditEntry.process_id == proc.id).order_by(m.AuditEntry.seq)))
    prev = trail[since - 2].hash if since > 1 else "0" * 64
    for e in trail[since - 1:]:
        body = json.loads(e.body)
        body = edit(body) if e.seq == since else body
        body["prev"] = prev
        raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        new = hashlib.sha256(raw.encode()).hexdigest()
        _sql(db, "UPDATE audit_entry SET body = :b, hash = :h, prev_hash = :p, actor = :a, action = :x "
                 "WHERE id = :id", b=raw, h=new, p=prev, a=body["actor"], x=body["action"], id=e.id)
        prev = new
    _sql(db, "UPDATE process SET audit_head = :h WHERE slug = :s", h=prev, s=slug)


def _rename_the_agency(body: dict) -> dict:
    body["payload"]["name"] = "Agencia inventada"
    return body


def test_a_rewritten_tail_passes_the_chain_alone_and_is_caught_by_a_head_published_earlier(db, clock):
    p = Proc(db, clock)
    p("add_agency", key="sfp", name="Secretaría de la Función Pública")
    p("add_agency", key="inai", name="INAI")
    published = _newest(db)  # e.g. copied from the page, the feed, or a session's email
    assert published.seq == 6
    checked = queries.verify_record(db, "p", [published.hash])
    assert checked["p"]["expected"] == [{"hash": published.hash, "seq": 6, "after": 0}]
    p("add_agency", key="shcp", name="Hacienda")
    assert queries.verify_record(db, "p", [published.hash.upper()])["p"]["expected"][0]["after"] == 1

    _rewrite_tail(db, "p", 5, _rename_the_agency)  # the first agency's name, and everything after it
    assert queries.verify_audit(db, "p") == {"p": 7}  # the chain alone cannot tell
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p", [published.hash])
    (problem,) = caught.value.reasons
    assert problem.code == "audit_expected_missing" and caught.value.exit_code == 4
    assert problem.message("en") == (f"Audit of p: the head published earlier, {published.hash}, is not in its chain: "
                                     "entries up to it were rewritten or removed after it was published.")
    assert problem.message("es") == (f"Bitácora de p: la cabeza publicada antes, {published.hash}, no está en su "
                                     "cadena: se reescribieron o quitaron entradas hasta ella después de publicarla.")
    # a head published before the rewritten entries still holds: the record up to it is intact
    with Session(db) as s:
        early = s.exec(select(m.AuditEntry.hash).where(m.AuditEntry.seq == 4)).first()
    assert queries.verify_record(db, "p", [early])["p"]["expected"][0]["seq"] == 4


def test_removed_newest_entries_with_the_head_moved_back_are_caught_too(db, clock):
    p = Proc(db, clock)
    p("add_agency", key="sfp", name="SFP")
    published = _newest(db)
    with Session(db) as s:
        fourth = s.exec(select(m.AuditEntry).where(m.AuditEntry.seq == 4)).one()
    _sql(db, "DELETE FROM audit_entry WHERE seq = 5")
    _sql(db, "UPDATE process SET audit_seq = 4, audit_head = :h, audit_at = :at", h=fourth.hash, at=fourth.at)
    assert queries.verify_audit(db, "p") == {"p": 4}
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p", [published.hash])
    assert caught.value.codes == ["audit_expected_missing"]


# --- edits around the engine that the chain itself must catch --------------------------------

@pytest.mark.parametrize("head_too", [False, True], ids=["trail only", "trail and head"])
def test_a_process_whose_trail_was_deleted_fails_with_audit_chain_empty(db, clock, head_too):
    Proc(db, clock, slug="norte")
    Proc(db, clock, slug="sur")
    _sql(db, "DELETE FROM audit_entry WHERE process_id = (SELECT id FROM process WHERE slug = 'sur')")
    if head_too:  # an intruder who also resets the process row to "nothing recorded"
        _sql(db, "UPDATE process SET audit_seq = 0, audit_head = NULL, audit_at = NULL WHERE slug = 'sur'")
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db)
    (problem,) = caught.value.reasons
    assert problem.code == "audit_chain_empty" and caught.value.exit_code == 4
    seq = 0 if head_too else 4
    assert problem.message("en") == ("Audit of sur: its audit trail has no entries at all, though every process begins "
                                     f"with the entry of its creation (its row says {seq}): the trail was deleted.")
    assert problem.message("es") == ("Bitácora de sur: su bitácora no tiene ninguna entrada, aunque todo proceso "
                                     f"empieza con la entrada de su creación (su fila dice {seq}): la bitácora fue "
                                     "borrada.")
    assert queries.verify_audit(db, "norte") == {"norte": 4}
    with pytest.raises(AuditBroken) as named:
        queries.verify_record(db, "sur", deep=True)
    assert named.value.codes == ["audit_chain_empty"]


def test_cocrea_audit_verify_exits_4_on_a_process_without_a_trail(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    db = make_engine(url)
    assert _cli(url, "db", "upgrade").exit_code == 0
    Proc(db, clock, slug="a")
    _sql(db, "DELETE FROM audit_entry")
    _sql(db, "UPDATE process SET audit_seq = 0, audit_head = NULL, audit_at = NULL")
    for args in (["audit", "verify"], ["audit", "verify", "a"], ["audit", "verify", "a", "--deep"]):
        out = _cli(url, "--lang", "en", *args)
        assert out.exit_code == 4, (args, out.output)
        assert "[audit_chain_empty] Audit of a: its audit trail has no entries at all" in out.stderr
    as_json = _cli(url, "audit", "verify", "--json")
    assert as_json.exit_code == 4
    data = json.loads(as_json.output)
    assert data["intact"] is False and [r["code"] for r in data["reasons"]] == ["audit_chain_empty"]
    assert data["reasons"][0]["message"].startswith("Bitácora de a: su bitácora no tiene ninguna entrada")
    db.dispose()


def test_a_process_row_deleted_from_a_sqlite_shell_leaves_its_trail_and_verify_fails(tmp_path, clock):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    db = make_engine(url)
    assert _cli(url, "db", "upgrade").exit_code == 0
    Proc(db, clock, slug="norte")
    p = Proc(db, clock, slug="sur")
    p("add_agency", key="sfp", name="SFP")
    db.dispose()
    shell = sqlite3.connect(tmp_path / "cocrea.db")  # foreign keys are off in a plain sqlite3 shell
    with shell:
        shell.execute("DELETE FROM person WHERE process_id = (SELECT id FROM process WHERE slug = 'sur')")
        shell.execute("DELETE FROM agency WHERE process_id = (SELECT id FROM process WHERE slug = 'sur')")
        shell.execute("DELETE FROM process WHERE slug = 'sur'")
    shell.close()
    out = _cli(url, "--lang", "en", "audit", "verify")
    assert out.exit_code == 4, out.output
    assert ("[audit_process_missing] Audit of sur: the process is gone (its row was deleted around the actions), "
            "but its audit trail remains, up to entry 5.") in out.stderr
    data = json.loads(_cli(url, "audit", "verify", "--json").output)
    assert [(r["code"], r["details"]) for r in data["reasons"]] == [("audit_process_missing", {"process": "sur",
                                                                                               "seq": 5})]
    assert data["reasons"][0]["message"].startswith("Bitácora de sur: el proceso ya no existe")
    assert _cli(url, "audit", "verify", "norte").exit_code == 0  # the other process, checked alone, holds
    named = _cli(url, "audit", "verify", "sur")  # asked by its name: not "no such process", a broken record
    assert named.exit_code == 4 and "[audit_process_missing]" in named.stderr
    assert _cli(url, "audit", "verify", "oeste").exit_code == 2  # a process that never was


def test_removed_newest_entries_are_caught_by_plain_verify_and_with_the_head_moved_back_by_deep(db, clock):
    p = Proc(db, clock)
    p("add_agency", key="sfp", name="SFP")
    p("add_agency", key="inai", name="INAI")
    with Session(db) as s:
        fourth = s.exec(select(m.AuditEntry).where(m.AuditEntry.seq == 4)).one()
    _sql(db, "DELETE FROM audit_entry WHERE seq > 4")  # the row still says 6: plain verify sees it
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p")
    assert caught.value.codes == ["audit_head_mismatch"]
    assert caught.value.reasons[0].details == {"process": "p", "seq": 6, "last": 4}
    # the head moved back with them: the chain alone holds, the rows they wrote do not
    _sql(db, "UPDATE process SET audit_seq = 4, audit_head = :h, audit_at = :at", h=fourth.hash, at=fourth.at)
    assert queries.verify_audit(db, "p") == {"p": 4}
    with pytest.raises(AuditBroken) as deep:
        queries.verify_record(db, "p", deep=True)
    assert {(r.code, r.details["table"], r.details["key"]) for r in deep.value.reasons} == \
        {("deep_row_extra", "agency", "sfp"), ("deep_row_extra", "agency", "inai")}


@pytest.mark.parametrize("edit,found", [
    (["UPDATE process SET stage = 'closed'"], {("deep_value_differs", "process", "stage")}),
    (["DELETE FROM vote"], {("deep_row_missing", "vote", None)}),
    (["UPDATE vote SET position = 'against'"], {("deep_value_differs", "vote", "position")}),
    (["DELETE FROM vote", "DELETE FROM decision"], {("deep_row_missing", "decision", None), ("deep_row_missing", "vote", None)}),
], ids=["stage closed", "votes deleted", "votes changed", "decisions deleted"])
def test_edits_around_the_engine_pass_the_chain_and_fail_deep_exit_4(tmp_path, clock, edit, found):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    db = make_engine(url)
    assert _cli(url, "db", "upgrade").exit_code == 0
    p = Proc(db, clock)
    p.decide("general", text="Calendario de sesiones", reason="Lo pide la guía",
             votes={"gob": "for", "garante": "for", "osc": "for"})
    for statement in edit:
        _sql(db, statement)
    assert _cli(url, "audit", "verify").exit_code == 0  # the chain alone cannot tell
    out = _cli(url, "--lang", "en", "audit", "verify", "--deep", "--json")
    assert out.exit_code == 4, out.output
    reasons = json.loads(out.output)["reasons"]
    assert {(r["code"], r["details"]["table"], r["details"].get("column")) for r in reasons} == found
    assert all(r["message"].startswith("Audit of p: in table ") for r in reasons)
    db.dispose()


def test_cocrea_audit_verify_expect_exits_4_naming_the_process(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    db = make_engine(url)
    assert _cli(url, "db", "upgrade").exit_code == 0
    Proc(db, clock, slug="a")
    p = Proc(db, clock, slug="b")
    p("add_agency", key="sfp", name="SFP")
    published = _newest(db, "b").hash
    ok = _cli(url, "audit", "verify", "b", "--expect", published)
    assert ok.exit_code == 0, ok.output
    assert f"la cabeza publicada {published} es la cabeza actual" in ok.output
    p("add_agency", key="inai", name="INAI")
    later = _cli(url, "--lang", "en", "audit", "verify", "--expect", published)  # every process: found in b
    assert later.exit_code == 0 and f"the published head {published} is entry 5; 1 entry came after it" in later.output
    as_json = json.loads(_cli(url, "audit", "verify", "--expect", published, "--json").output)
    assert as_json["processes"]["b"]["expected"] == [{"hash": published, "seq": 5, "after": 1}]
    assert as_json["processes"]["a"]["expected"] == []

    _rewrite_tail(db, "b", 5, _rename_the_agency)
    assert _cli(url, "audit", "verify").exit_code == 0  # the chain alone
    named = _cli(url, "audit", "verify", "b", "--expect", published)
    assert named.exit_code == 4
    assert "NO se verifica" in named.stderr and "[audit_expected_missing]" in named.stderr
    assert f"Bitácora de b: la cabeza publicada antes, {published}, no está en su cadena" in named.stderr
    everywhere = _cli(url, "--lang", "en", "audit", "verify", "--expect", published)
    assert everywhere.exit_code == 4
    assert f"The head published earlier, {published}, is in the chain of no process (a, b)" in everywhere.stderr
    # not a hash: bad input, exit 2
    bad = _cli(url, "audit", "verify", "--expect", "abc123")
    assert bad.exit_code == 2 and "[bad_audit_hash]" in bad.stderr
    # the head of another process is not this one's
    other = _cli(url, "audit", "verify", "a", "--expect", _newest(db, "b").hash)
    assert other.exit_code == 4 and "Bitácora de a" in other.stderr
    db.dispose()


# --- the deep check: rows edited around the engine -------------------------------------------

def _lived(db, clock) -> Proc:
    """A process in monitoring with votes, credentials, an input with its contact, a closed session."""
    from builders import process_at
    from workflow.credentials import collecting

    p = process_at(db, clock, "monitoring")
    p.decide("general", text="Calendario de sesiones", reason="Lo pide la guía",
             votes={"gob": "for", "garante": "for", "osc": "abstain"})
    with collecting():
        p("set_credentials", actor="gob", handle="gob", new_token=True)  # not replayed: credentials
    p("close_session", session=f"S{p.n_sessions}")
    return p


def test_deep_check_passes_on_a_process_lived_through_the_actions(db, clock):
    _lived(db, clock)
    checked = queries.verify_record(db, "p", deep=True)
    assert checked["p"]["deep_rows"] > 60


def test_deep_check_names_every_row_edited_around_the_engine(db, clock):
    _lived(db, clock)
    with Session(db) as s:
        vote = s.exec(select(m.Vote).order_by(m.Vote.id.desc())).first()
        voter = s.get(m.Person, vote.person_id).handle
        decision = s.get(m.Decision, vote.decision_id).key
    _sql(db, "UPDATE process SET stage = 'closed'")
    _sql(db, "DELETE FROM vote WHERE id = :id", id=vote.id)
    _sql(db, "UPDATE commitment SET title = 'Otro compromiso' WHERE key = 'c1'")
    _sql(db, "UPDATE input SET disposition = 'not_adopted' WHERE key = 'i1'")
    _sql(db, "INSERT INTO theme (process_id, key, name, description) "
             "SELECT id, 'inventado', 'Tema inventado', '' FROM process")
    _sql(db, "UPDATE input SET contact_email = 'otra@example.org'")  # personal data: not in the trail
    assert queries.verify_audit(db, "p")  # the chain alone cannot tell
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p", deep=True)
    assert caught.value.exit_code == 4
    found = {(r.code, r.details["table"], r.details["key"], r.details.get("column")) for r in caught.value.reasons}
    assert found == {
        ("deep_value_differs", "process", "p", "stage"),
        ("deep_row_missing", "vote", f"{decision}/{voter}", None),
        ("deep_value_differs", "commitment", "c1", "title"),
        ("deep_value_differs", "input", "i1", "disposition"),
        ("deep_row_extra", "theme", "inventado", None),
    }
    stage = next(r for r in caught.value.reasons if r.details.get("column") == "stage")
    assert stage.message("en") == ("Audit of p: in table process, row p, column stage is «closed», but the audit "
                                   "trail gives «monitoring»: changed around the actions.")
    assert stage.message("es") == ("Bitácora de p: en la tabla process, la fila p tiene en la columna stage «closed», "
                                   "pero la bitácora da «monitoring»: se cambió por fuera de las acciones.")


def test_deep_check_numbers_rows_without_a_key_of_their_own(db, clock):
    p = Proc(db, clock)
    key = p.session()
    p("record_attendance", session=key, members=["gob"], present=False)
    p("record_attendance", session=key, members=["gob"])
    _sql(db, "DELETE FROM attendance WHERE id = (SELECT MAX(id) FROM attendance)")
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p", deep=True)
    assert [(r.code, r.details["table"], r.details["key"]) for r in caught.value.reasons] == \
        [("deep_row_missing", "attendance", "S1/gob #2")]


def test_cocrea_audit_verify_deep_exits_4_naming_the_rows(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    db = make_engine(url)
    assert _cli(url, "db", "upgrade").exit_code == 0
    p = Proc(db, clock)
    p("add_agency", key="sfp", name="SFP")
    ok = _cli(url, "audit", "verify", "--deep")
    assert ok.exit_code == 0, ok.output
    assert "comprobación profunda: 7 filas coinciden con la bitácora reproducida" in ok.output
    assert json.loads(_cli(url, "audit", "verify", "--deep", "--json").output)["processes"]["p"]["deep_rows"] == 7
    _sql(db, "UPDATE agency SET name = 'Otra' WHERE key = 'sfp'")
    assert _cli(url, "audit", "verify").exit_code == 0
    broken = _cli(url, "--lang", "en", "audit", "verify", "p", "--deep")
    assert broken.exit_code == 4
    assert ("[deep_value_differs] Audit of p: in table agency, row sfp, column name is «Otra», but the audit trail "
            "gives «SFP»: changed around the actions.") in broken.stderr
    db.dispose()


# --- each session's minutes carry the head at its close; members receive it by email ----------

def _session_row(db, key: str) -> m.SecretariatSession:
    with Session(db) as s:
        return s.exec(select(m.SecretariatSession).where(m.SecretariatSession.key == key)).one()


def test_a_closed_session_keeps_and_publishes_the_head_at_its_close(db, clock):
    p = Proc(db, clock)
    key = p.session()
    before = _newest(db)  # everything recorded up to the close
    p("close_session", session=key)
    row, close = _session_row(db, key), _newest(db)
    assert (row.closed_seq, row.closed_head) == (before.seq, before.hash)
    assert close.action == "close_session" and close.prev_hash == row.closed_head  # the close links to it
    view = public_view(db, "p")
    assert [(s["key"], s["closed_seq"], s["closed_head"]) for s in view["sessions"]] == [(key, before.seq, before.hash)]
    assert queries.verify_record(db, "p", [row.closed_head], deep=True)["p"]["expected"][0]["seq"] == before.seq
    # the head kept with the session is checked against the trail too
    _sql(db, "UPDATE secretariat_session SET closed_head = :h", h="0" * 64)
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p", deep=True)
    assert [(r.details["table"], r.details["key"], r.details["column"]) for r in caught.value.reasons] == \
        [("secretariat_session", key, "closed_head")]


def test_the_page_and_the_sessions_table_show_the_head_at_each_close(sqlite_db, clock):
    p = Proc(sqlite_db, clock)
    key = p.session()
    p("close_session", session=key)
    head = _session_row(sqlite_db, key).closed_head
    c = client(sqlite_db, clock)
    assert f'Registro al cierre: entrada 6 de la bitácora, cabeza <code class="code hash">{head}</code>' in c.get("/p/p").text
    rows = list(csv.DictReader(io.StringIO(c.get("/p/p/data/sessions.csv").text)))
    assert [(r["key"], r["closed_seq"], r["closed_head"]) for r in rows] == [(key, "6", head)]


def test_every_member_receives_the_head_at_a_session_close_by_email(sqlite_db, clock):
    from mailserver import mail_config, smtp_server, tick

    p = Proc(sqlite_db, clock)
    p("add_person", handle="acad", name="Academia UdeG", role="member", sector="academia", email="acad@example.org",
      lang="en")
    p("configure_reminders", muted=["osc"])  # the coordinators cannot silence a witness...
    refused = p.refused("configure_reminders", off=["session_record"])  # ...nor switch the record off
    assert refused.exit_code == 2
    key = p.session()
    with smtp_server() as (host, port, server):
        config = mail_config(host, port)
        tick(sqlite_db, clock, config)
        server.messages.clear()
        p("close_session", session=key)
        row = _session_row(sqlite_db, key)
        head = row.closed_head
        clock.advance(hours=20)  # the day's reminders go out from 09:00 local time
        tick(sqlite_db, clock, config)
        records = {m.rcpt_tos[0]: m.message for m in server.messages
                   if m.message["X-Cocrea-Reminder"].startswith("session_record.")}
    assert sorted(records) == ["acad@example.org", "garante@example.org", "gob@example.org", "osc@example.org"]
    for address, message in records.items():
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert head in text and head in html and f"cocrea audit verify p --expect {head}" in text
        others = {a for a in records if a != address}
        assert not [a for a in others if a in message.as_string()]  # each receives only their own address
    es, en = records["gob@example.org"], records["acad@example.org"]
    assert str(es["Subject"]).startswith(f"Registro de la sesión {key}, cerrada el ")
    assert f"la bitácora del proceso tenía {row.closed_seq} entradas" in " ".join(es.get_body(("plain",)).get_content().split())
    assert "no se puede desactivar" in es.get_body(("plain",)).get_content()
    assert str(en["Subject"]).startswith(f"Record of session {key}, closed on ")
    assert f"the audit trail of the process held {row.closed_seq} entries" in " ".join(en.get_body(("plain",)).get_content().split())


def test_the_record_is_planned_even_for_a_closed_process(db, clock):
    from builders import process_at
    from reads import reminders as rem

    p = process_at(db, clock, "closed")
    key = f"S{p.n_sessions}"  # the session that decided to close the process, closed after it
    p("close_session", session=key)
    clock.advance(days=1)
    planned = {(x["recipient"], x["status"]) for x in rem.plan(db, "p", clock.now())["reminders"]
               if x["kind"] == "session_record" and x["subject"] == key}
    assert {handle for handle, _ in planned} == {"coord", "gob", "garante", "osc"}
    assert {status for handle, status in planned if handle != "coord"} <= {"due", "pending"}
    assert ("coord", "no_email") in planned  # the builders' coordinator gave no address
    others = {x["status"] for x in rem.plan(db, "p", clock.now())["reminders"] if x["kind"] == "minutes_pending"}
    assert others <= {"closed_process"}  # the other reminders stop with the process


def _outbox(db, kind: str) -> list[tuple[str, m.dt.datetime, str]]:
    with db.connect() as conn:
        rows = conn.execute(text("SELECT recipient, due_at, status FROM outbox WHERE kind = :k ORDER BY recipient"),
                            {"k": kind}).all()
    return [(r[0], r[1], r[2]) for r in rows]


@pytest.mark.parametrize("hour", [7, 23], ids=["before the send hour", "late at night"])
def test_a_witness_email_is_due_from_the_close_itself_whatever_the_hour(sqlite_db, clock, hour):
    """The day's reminders go out from 09:00; the record does not wait for it: a session closed
    at 07:00 is witnessed at once, not two hours later (nor the next morning)."""
    from builders import MX
    from mailserver import mail_config, smtp_server, tick

    p = Proc(sqlite_db, clock)
    key = p.session()
    clock.set(m.dt.datetime(2026, 1, 17, hour - 1, 30, tzinfo=MX))
    p("close_session", session=key)  # at hour:30, local time
    closed = clock.now()
    head = _session_row(sqlite_db, key).closed_head
    queued = _outbox(sqlite_db, "session_record")  # by the close itself, in its transaction
    assert [(r, status) for r, _, status in queued] == \
        [(f"{h}@example.org", "pending") for h in ("garante", "gob", "osc")]
    assert {m.dt.datetime.fromisoformat(str(due)).replace(tzinfo=m.dt.timezone.utc) for _, due, _ in queued} == \
        {closed.astimezone(m.dt.timezone.utc).replace(tzinfo=m.dt.timezone.utc)}
    with smtp_server() as (host, port, server):
        tick(sqlite_db, clock, mail_config(host, port))  # the worker's next tick, same minute
        sent = [x for x in server.messages if x.message["X-Cocrea-Reminder"].startswith("session_record.")]
    assert sorted(x.rcpt_tos[0] for x in sent) == ["garante@example.org", "gob@example.org", "osc@example.org"]
    assert all(head in x.message.get_body(("plain",)).get_content() for x in sent)


def test_the_final_record_of_a_closed_process_is_emailed_by_the_sweep(db, clock):
    """The session that decided to close the process is closed after it; recorded as a past fact
    (``at``: an action dated in the past enqueues nothing), only the worker's sweep can send its
    record, and the sweep still visits a process closed within WITNESS_AFTER_CLOSE, for its
    witnesses only."""
    from builders import process_at
    from mailserver import mail_config, smtp_server, tick

    from notifications import outbox
    from workflow import actions

    p = process_at(db, clock, "closed")
    key = f"S{p.n_sessions}"
    clock.advance(hours=3)
    actions.apply(db, "close_session", {"session": key}, actor="coord", process="p", clock=clock,
                  at=clock.now() - m.dt.timedelta(hours=1))
    head = _session_row(db, key).closed_head
    with db.connect() as conn:  # the past fact queued nothing for it
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE kind = 'session_record' AND subject = :s"),
                            {"s": key}).scalar() == 0
    clock.advance(days=2)  # the worker was down meanwhile
    with smtp_server() as (host, port, server):
        tick(db, clock, mail_config(host, port))
        kinds = [x.message["X-Cocrea-Reminder"].split(".")[0] for x in server.messages]
        final = {x.rcpt_tos[0]: x.message for x in server.messages
                 if x.message["X-Cocrea-Reminder"].startswith("session_record.")
                 and head in x.message.get_body(("plain",)).get_content()}
    assert sorted(final) == ["garante@example.org", "gob@example.org", "osc@example.org"]
    assert str(final["gob@example.org"]["Subject"]).startswith(f"Registro de la sesión {key}, cerrada el ")
    assert set(kinds) == {"session_record"}  # nothing else goes out for a closed process
    # sent once: the next sweeps plan the same keys and store nothing new
    assert outbox.sweep(db, clock.now()).added == 0
    # past the window, a closed process is no longer visited at all
    clock.advance(days=outbox.WITNESS_AFTER_CLOSE.days)
    assert outbox.sweep(db, clock.now()).processes == 0


def test_the_migration_fills_in_the_head_of_sessions_closed_before(tmp_path, clock):
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    import migrations

    db = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
    migrations.upgrade(db)
    p = Proc(db, clock)
    closed, still_open = p.session(), p.session()
    p("close_session", session=closed)
    want = _session_row(db, closed)
    plain = create_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")  # SQLite's batch downgrade needs foreign keys off
    config = migrations.config(plain)
    before = ScriptDirectory.from_config(config).get_revision("0009").down_revision
    command.downgrade(config, before)  # a database from before the head was kept with the session
    command.upgrade(config, "head")
    plain.dispose()
    assert (_session_row(db, closed).closed_seq, _session_row(db, closed).closed_head) == \
        (want.closed_seq, want.closed_head) != (None, None)
    assert _session_row(db, still_open).closed_head is None
    assert queries.verify_record(db, "p", deep=True)["p"]["deep_rows"] > 0
    db.dispose()
