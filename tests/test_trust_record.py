"""A record anyone can verify (issue 12): the head of each process's audit chain is published
(public page, open data, Atom feed, API, ``cocrea audit verify``), and a head published earlier
catches a rewritten tail (``--expect``).

Every test runs the real actions on a real database (SQLite file and PostgreSQL where the
``db`` fixture gives both) and tampers with rows the way an intruder with database access would.
"""
from __future__ import annotations

import csv
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
    assert f'<code id="audit-head" class="code">{newest.hash}</code>' in page
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
