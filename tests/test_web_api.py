"""The JSON API: token auth, the same actions and refusals as the CLI, an OpenAPI schema, fuzzed."""
from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from builders import process_at
from hypothesis import HealthCheck, settings
from sqlmodel import SQLModel
from webkit import app_for, audit_count, client

from stages.clock import FixedClock
from storage.db import make_engine
from workflow.actions import ACTIONS
from workflow.credentials import collecting


def _tokens(p, *handles):
    """A token for each person, made by the server as each asks for their own."""
    out = {}
    for h in handles:
        with collecting() as issued:
            p("set_credentials", actor=h, handle=h, new_token=True)
        out[h] = issued[0].value
    return out


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_reads_are_public_and_writes_need_a_token_of_that_process(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "consultation")
    tok = _tokens(p, "coord")
    c = client(sqlite_db, clock)
    assert c.get("/api/processes").json()[0]["slug"] == "p"
    assert c.get("/api/processes/p/status").json()["stage"] == "consultation"
    before = audit_count(sqlite_db)
    r = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua"})
    assert r.status_code == 401 and r.json()["reasons"][0]["code"] == "token_missing"
    assert r.headers["www-authenticate"] == "Bearer"
    r = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua"}, headers=_bearer("cct_" + "x" * 43))
    assert r.status_code == 401 and r.json()["reasons"][0]["code"] == "token_invalid"
    assert c.get("/api/processes/p/history").status_code == 401
    # a token of another process
    q = process_at(sqlite_db, clock, "declaration", slug="q")
    other = _tokens(q, "coord")["coord"]
    before = audit_count(sqlite_db)
    r = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua"}, headers=_bearer(other))
    assert r.status_code == 403 and r.json()["reasons"][0]["code"] == "token_other_process"
    assert audit_count(sqlite_db) == before
    ok = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua"}, headers=_bearer(tok["coord"]))
    assert ok.status_code == 200 and ok.json() == {"action": "add_theme", "result": {"theme": "t1"},
                                               "said": {"text": "Se agregó el tema «t1».", "refused": False}}
    assert audit_count(sqlite_db) == before + 1
    history = c.get("/api/processes/p/history", headers=_bearer(tok["coord"])).json()
    assert history[-1]["action"] == "add_theme" and history[-1]["actor"] == "coord"


def test_errors_carry_every_reason_with_the_right_status(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "consultation")
    tok = _tokens(p, "coord", "gob")
    c = client(sqlite_db, clock)
    before = audit_count(sqlite_db)
    bad = c.post("/api/processes/p/actions/open_channel", json={"key": "bad key", "kind": "nope"},
                 headers=_bearer(tok["coord"]))
    assert bad.status_code == 400 and bad.json()["error"] == "InvalidInput"
    assert {r["details"]["field"] for r in bad.json()["reasons"]} >= {"key", "kind", "name"}
    assert c.post("/api/processes/p/actions/add_theme", content=b"{nope", headers=_bearer(tok["coord"])).status_code == 400
    assert c.post("/api/processes/p/actions/add_theme", json=[1], headers=_bearer(tok["coord"])).status_code == 400
    forbidden = c.post("/api/processes/p/actions/add_theme", json={"key": "t", "name": "x"}, headers=_bearer(tok["gob"]))
    assert forbidden.status_code == 403 and forbidden.json()["reasons"][0]["code"] == "actor_not_allowed"
    key = p.session()
    d = p("propose_decision", session=key, kind="advance")["decision"]
    before = audit_count(sqlite_db)
    refused = c.post("/api/processes/p/actions/decide?lang=en", json={"decision": d}, headers=_bearer(tok["coord"]))
    assert refused.status_code == 409 and refused.json()["error"] == "TransitionBlocked"
    assert refused.json()["reasons"][0] == {"code": "at_least_one_channel", "message": "No consultation channel has been opened.",
                                            "details": {"items": ["channels"], "count": 1}}
    # a member votes only in its own name
    other = c.post("/api/processes/p/actions/cast_vote", json={"decision": d, "position": "for", "member": "osc"},
                   headers=_bearer(tok["gob"]))
    assert other.status_code == 403 and other.json()["reasons"][0]["code"] == "vote_only_for_self"
    assert audit_count(sqlite_db) == before and p.stage == "consultation"


def test_a_liaison_cannot_touch_another_agencys_activity_over_the_api(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "routes")
    p("add_agency", key="salud", name="Salud")
    p("add_person", handle="enlace", name="Enlace", role="liaison", agency="igualdad")
    p("plan_activity", key="a2", commitment="c1", title="T", deliverable="D", agency="salud",
      start_date="2026-06-01", end_date="2026-07-01")
    tok = _tokens(p, "enlace")
    c = client(sqlite_db, clock)
    before = audit_count(sqlite_db)
    r = c.post("/api/processes/p/actions/accept_activity", json={"activity": "a2"}, headers=_bearer(tok["enlace"]))
    assert r.status_code == 403 and r.json()["reasons"][0]["code"] == "liaison_other_agency"
    assert audit_count(sqlite_db) == before


def test_the_openapi_schema_documents_every_action_with_its_own_body(sqlite_db, clock):
    doc = client(sqlite_db, clock).get("/openapi.json").json()
    for name, action in ACTIONS.items():
        path = f"/api/processes/{{slug}}/actions/{name}"
        if action.creates_process:
            assert path not in doc["paths"]
            continue
        op = doc["paths"][path]["post"]
        assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(action.schema.__name__)
        assert set(op["responses"]) >= {"200", "400", "401", "403", "409"}
        assert op["security"] == [{"bearerAuth": []}]
        assert action.schema.__name__ in doc["components"]["schemas"]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


# --- fuzzing with schemathesis ----------------------------------------------------------
# Every operation of the OpenAPI document, with bodies that fit its schema and bodies that do
# not, sent in process (ASGI) with the coordinator's token to a process in the routes stage.


def _labels() -> list[str]:
    import tempfile

    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/labels.db")
    doc = app_for(engine, FixedClock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))).openapi()
    engine.dispose()
    return [f"{method.upper()} {path}" for path, item in doc["paths"].items() for method in item]


@pytest.mark.parametrize("label", _labels())
def test_fuzzed_calls_never_fail_inside_and_refusals_write_nothing(label, tmp_path):
    from hypothesis import given
    from hypothesis import strategies as st
    from schemathesis import GenerationMode

    engine = make_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    SQLModel.metadata.create_all(engine)
    clock = FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc))
    p = process_at(engine, clock, "routes")
    token = _tokens(p, "coord")["coord"]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app_for(engine, clock))
    operation = schema.find_operation_by_label(label)
    ours = {"slug": "p"} if "{slug}" in operation.path else None  # mostly our process, sometimes any
    cases = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=ours),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=ours),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=int(os.environ.get("COCREA_FUZZ_EXAMPLES", "20")), deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        before = audit_count(engine)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, response.text
        if response.status_code != 200 or case.method.upper() == "GET":
            assert audit_count(engine) == before, (case.method, case.path, response.status_code)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) >= {"error", "reasons"} and all("code" in r for r in body["reasons"])

    check()
    engine.dispose()
