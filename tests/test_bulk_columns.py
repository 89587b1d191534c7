"""import_inputs validates a batch a column at a time (``workflow.columns``, derived from
record_input's schema) and sends any row its fast checks do not accept to pydantic: every row
must come out exactly as the schema's own validation of that row gives it (its values, or its
refusal with the same reasons). Checked on random rows, and on the texts the masking skips."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from stages.participation import mask, masks_nothing
from workflow import columns
from workflow import schemas as s
from workflow.actions import bulk

#: Characters that make the rules bite: spaces pydantic strips and some it does not, control
#: characters, a carriage return, the characters an email or a key may not hold, accents.
TRICKY = " \t\n\r\x0b\x0c\x1c\x1f\x00\x7f\x85\xa0\u2028\u3000@.-_<>,;'\"éÑ"
ANY = st.text(alphabet=st.sampled_from(list(TRICKY) + list("abcXYZ019")), max_size=12)
KEYISH = st.one_of(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,66}", fullmatch=True), ANY)
DATES = st.one_of(st.sampled_from(["2026-02-05", "2026-2-5", " 2026-02-05", "2026-02-05 ", "2026-02-30", "1899-12-31",
                                   "1900-01-01", "2199-12-31", "2200-01-01", "20260205", "1700000000",
                                   "2026-02-05T00:00:00", "2026-02-05T10:00:00", "abc", "0", "2026-02-05Z"]),
                  st.dates(dt.date(1890, 1, 1), dt.date(2210, 1, 1)).map(dt.date.isoformat), ANY)


def around(limit: int) -> st.SearchStrategy[str]:
    """A text of about ``limit`` characters, perhaps with something to strip at an end."""
    return st.builds(lambda n, edge, inner: edge + "a" * n + inner + edge, st.integers(limit - 4, limit + 2),
                     st.sampled_from(["", " ", "\n", "\x1f"]), st.sampled_from(["", "b", " c", "\x00"]))


TEXTS = st.one_of(st.text(max_size=30), ANY, around(s.INPUT_MAX))
NAMES = st.one_of(st.text(max_size=20), ANY, around(s.SHORT_MAX))
EMAILS = st.one_of(st.emails().map(str), st.from_regex(r"[a-z\s,<]{1,5}@[a-z.\s]{1,6}", fullmatch=True), ANY,
                   st.just("a" * 250 + "@b.mx"))
SECTORS = st.one_of(st.sampled_from(["citizen", "academia", "x", "Civil", "civil_society ", "a" * 41]), ANY)
VALUES = {"key": KEYISH, "channel": KEYISH, "text": TEXTS, "sector": SECTORS, "contact_name": NAMES,
          "contact_email": EMAILS, "received_on": DATES, "theme": KEYISH}
ROW = st.fixed_dictionaries({c: st.one_of(st.just(""), v) for c, v in VALUES.items()})


def by_pydantic(header: list[str], cells: list[str]) -> tuple[dict | None, list]:
    """The row as the schema's own validation gives it (as the import did before the fast path)."""
    given_ = {h: v for h, v in zip(header, cells) if v != ""}
    try:
        row = bulk.ROWS.validate_python([given_])[0]
    except ValidationError as exc:
        return None, s.validation_reasons([{**e, "loc": e["loc"][1:]} for e in exc.errors()])
    return {c: row.get(c, columns.FAIL if c in bulk.REQUIRED else bulk.FAST.defaults[c]) for c in bulk.COLUMNS}, []


def reasons_of(rs: list) -> list:
    return [(r.code, r.details) for r in rs]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(ROW, min_size=1, max_size=8), drop=st.sets(st.sampled_from(
    ["channel", "sector", "contact_name", "contact_email", "theme"])))
def test_a_batch_checked_a_column_at_a_time_is_what_the_schema_gives_row_by_row(rows, drop):
    header = [c for c in bulk.COLUMNS if c not in drop]
    cells = [[r[c] for c in header] for r in rows]
    problems: dict[int, list] = {}
    values = bulk._checked(header, cells, problems)
    for i, row_cells in enumerate(cells):
        expected, refusal = by_pydantic(header, row_cells)
        if expected is None:
            assert i in problems and reasons_of(problems[i]) == reasons_of(refusal)
        else:
            assert i not in problems
            got = {c: values[c][i] for c in bulk.COLUMNS}
            assert got == expected and all(type(got[c]) is type(expected[c]) for c in got)


VALID = {"key": "form-1", "channel": "web", "text": "Una propuesta", "received_on": "2026-02-05"}


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(*VALUES.values()), name=st.sampled_from(list(bulk.COLUMNS)))
def test_the_fast_checks_accept_nothing_the_schema_refuses_and_give_its_value(value, name):
    """The fast path alone (no fallback): what it accepts, pydantic accepts, as the same value."""
    got, bad = bulk.FAST.column(name, [value])
    row = {**VALID, name: value}
    expected, _ = by_pydantic(list(row), list(row.values()))
    if not bad and value != "":
        assert expected is not None and got[0] == expected[name] and type(got[0]) is type(expected[name])


def test_the_common_row_is_accepted_by_the_fast_checks_without_pydantic():
    """The point of the fast path: a plain valid column is not sent to pydantic."""
    cells = {"key": ["form-1", "form-2"], "channel": ["web", "web"], "text": ["Una propuesta", "Otra\r\nmás"],
             "sector": ["citizen", "academia"], "contact_name": ["Ana", ""], "contact_email": ["a@b.mx", ""],
             "received_on": ["2026-02-05", "2026-02-05"], "theme": ["", "agua"]}
    for name, column in cells.items():
        got, bad = bulk.FAST.column(name, column)
        assert bad == [], name
    assert bulk.FAST.column("text", cells["text"])[0] == ["Una propuesta", "Otra\nmás"]
    assert bulk.FAST.column("received_on", cells["received_on"])[0] == [dt.date(2026, 2, 5)] * 2
    assert bulk.FAST.column("sector", ["", "academia"])[0] == ["citizen", "academia"]
    assert bulk.FAST.column("key", ["", "k"])[1] == [0]  # required: absent is not accepted


@given(texts=st.lists(st.one_of(st.text(alphabet="0123456789 ()+-.a@\n", max_size=30), st.text(max_size=20)),
                      max_size=6))
def test_a_batch_masks_nothing_only_when_no_text_would_be_masked(texts):
    if masks_nothing(texts):
        assert all(mask(t) == t for t in texts)
