"""A whole process through real decisions, on SQLite and PostgreSQL."""
from builders import process_at

from reads import status as queries
from stages import STAGE_NAMES


def test_a_process_runs_from_declaration_to_closed(db, clock):
    p = process_at(db, clock, "closed")
    assert p.stage == "closed"
    moves = [(m["from"], m["to"]) for m in p.status()["moves"] if m["event"] != "create"]
    assert moves == list(zip(STAGE_NAMES, [*STAGE_NAMES[1:], "closed"]))
    checked = queries.verify_audit(db, p.slug)
    assert checked[p.slug] == len(queries.history(db, p.slug)) > 40


def test_status_lists_every_unmet_criterion_with_codes_in_both_languages(db, clock):
    p = process_at(db, clock, "consultation")
    es, en = p.status("es"), p.status("en")
    codes = [u["code"] for u in es["unmet"]]
    assert codes == ["at_least_one_channel", "channel_for_excluded_groups", "inputs_received",
                     "themes_prioritised"]
    assert [u["code"] for u in en["unmet"]] == codes
    assert es["unmet"][0]["message"] == "No se ha abierto ningún canal de consulta."
    assert en["unmet"][0]["message"] == "No consultation channel has been opened."
