"""What a decision says is what happens: every field of a motion means something for its kind
(``decisions.KINDS``), an advance goes to the next stage only, and after ``decide`` the CLI,
the API and the workspace say the outcome. On SQLite and PostgreSQL; refusals change nothing."""
from __future__ import annotations

import pytest
from builders import process_at
from snapshots import refused
from webkit import PASSWORD, client, csrf_of, sign_in

from workflow.actions import decisions
from workflow.credentials import collecting

#: A value each motion field would take, to offer it to kinds that do not use it.
SAMPLE = {"target": "consultation", "commitments": ["c1"], "commitment": "c1", "changes": {"title": "Otro"},
          "quorum": {"sectors": {"government": 1}}, "text": "Acuerdo", "opens_on": "2026-01-20",
          "closes_on": "2026-01-30"}
WRONG = [(kind.name, f) for kind in decisions.KINDS.values() for f in decisions.MOTION_FIELDS if f not in kind.fields]


def test_the_table_gives_every_field_of_a_motion_a_meaning():
    used = {f for kind in decisions.KINDS.values() for f in kind.fields}
    assert used == set(decisions.MOTION_FIELDS) == set(SAMPLE)
    assert decisions.KINDS["advance"].fields == ("target",) and decisions.KINDS["resume"].fields == ()


def test_a_field_the_kind_does_not_use_is_refused_naming_it(db, clock):
    p = process_at(db, clock, "declaration")
    session = p.session()
    assert len(WRONG) > 30
    for kind, field in WRONG:
        extra = {"reason": "Motivo"} | {f: SAMPLE[f] for f in decisions.KINDS[kind].required}
        exc = refused(db, lambda: p("propose_decision", session=session, kind=kind, **extra,
                                    **{field: SAMPLE[field]}), "not_for_this_kind")
        assert exc.exit_code == 2 and exc.reasons[0].details["field"] == field, (kind, field)
        assert f"«{field}»" in exc.messages("es")[0] and f"'{field}'" in exc.messages("en")[0]


def test_advance_to_another_stage_than_the_next_is_refused_when_proposed(db, clock):
    p = process_at(db, clock, "consultation")
    session = p.session()
    exc = refused(db, lambda: p("propose_decision", session=session, kind="advance", target="planning"),
                  "advance_only_to_next_stage")
    assert exc.exit_code == 3
    assert exc.messages("es")[0] == ("Un avance va solo a la etapa siguiente: desde «Consulta sobre temas a tratar» "
                                     "es «Sensibilización entre actores estratégicos», no «Planeación de los trabajos».")
    assert "next stage only" in exc.messages("en")[0]
    refused(db, lambda: p("propose_decision", session=session, kind="advance", target="declaration"),
            "advance_only_to_next_stage")
    assert p.stage == "consultation"


def test_advance_naming_the_next_stage_goes_there(db, clock):
    from builders import complete_stage

    p = process_at(db, clock, "declaration")
    complete_stage(p, "declaration")
    result = p.move("advance", target="consultation")
    assert result["status"] == "adopted" and result["stage"] == p.stage == "consultation"


def test_required_fields_and_reasons_of_a_kind(db, clock):
    p = process_at(db, clock, "declaration")
    session = p.session()
    for kind, code in [("reopen", "invalid_field"), ("general", "invalid_field"), ("set_quorum_rule", "invalid_field"),
                       ("amend_commitment", "invalid_field")]:
        exc = refused(db, lambda: p("propose_decision", session=session, kind=kind, reason="Motivo"), code)
        assert exc.reasons[0].details["problem"] == "missing"
        assert exc.reasons[0].details["field"] in decisions.KINDS[kind].required
    refused(db, lambda: p("propose_decision", session=session, kind="reopen", target="declaration"),
            "reason_required")


def test_after_decide_the_api_and_the_workspace_say_the_outcome(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "declaration")
    for h in ("coord", "osc"):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    with collecting() as issued:
        p("set_credentials", actor="coord", handle="coord", new_token=True)
    bearer = {"Authorization": f"Bearer {issued[0].value}"}
    c = client(sqlite_db, clock)
    session = p.session()
    d = p("propose_decision", session=session, kind="general", text="Publicar el calendario")["decision"]
    p("cast_vote", actor="osc", decision=d, position="against")
    api = c.post("/api/processes/p/actions/decide?lang=en", json={"decision": d},
                 headers=bearer)
    body = api.json()
    assert api.status_code == 200 and body["result"]["status"] == "rejected"
    assert body["result"]["tally"]["objections"] == ["osc"]
    assert body["said"]["refused"] is True and "osc" in body["said"]["text"] and "Rejected" in body["said"]["text"]
    d2 = p("propose_decision", session=session, kind="general", text="Publicar la minuta")["decision"]
    ok = c.post("/api/processes/p/actions/decide", json={"decision": d2},
                headers=bearer).json()
    assert ok["result"]["status"] == "adopted" and ok["said"]["refused"] is False
    assert ok["said"]["text"].startswith("Decisión adoptada")


def test_the_motion_form_shows_only_the_fields_of_the_chosen_kind(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "declaration")
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    session = p.session()
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    every = c.get(f"/w/p/do/propose_decision?session={session}").text
    assert 'name="target"' in every and 'name="text"' in every and "kind=advance" in every
    advance = c.get(f"/w/p/do/propose_decision?session={session}&kind=advance").text
    assert 'name="target"' in advance and 'name="text"' not in advance and 'name="quorum.min_members"' not in advance
    general = c.get(f"/w/p/do/propose_decision?session={session}&kind=general").text
    assert 'name="text"' in general and 'name="target"' not in general
    sent = c.post("/w/p/do/propose_decision", data={"session": session, "kind": "advance", "target": "planning",
                                                    "csrf": csrf_of(advance)})
    assert sent.status_code == 409 and "advance_only_to_next_stage" in sent.text
    assert 'name="text"' not in sent.text and 'value="planning" selected' in sent.text
    # the whole form (no kind chosen first): fields of other kinds left as they were are not sent
    whole = {"session": session, "kind": "general", "text": "Calendario", "target": "", "quorum.min_members": "0",
             "rule": "consensus", "csrf": csrf_of(every)}
    assert c.post("/w/p/do/propose_decision", data=whole).status_code == 303
    typed = c.post("/w/p/do/propose_decision", data={**whole, "quorum.min_members": "3"})
    assert typed.status_code == 400 and "not_for_this_kind" in typed.text
