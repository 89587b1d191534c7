"""The long lists of a process's public record (inputs, activities, progress reports), a page at
a time: searchable, with totals counted by the database.

A page costs what its rows cost, whatever the size of the process: one ``COUNT`` of the rows
that match, one ``COUNT`` of all of them, and one indexed ``SELECT ... LIMIT`` of the page (for
activities, one more query for the page's reports). Items have the shape of the same rows in
:func:`reads.public.public_view`, and never hold personal data (the contact columns of inputs
are never read here).

``q`` keeps the rows whose text contains it, ignoring case (on SQLite, case is ignored for
unaccented letters only: its ``lower`` knows ASCII). For inputs, the search reads what is
published, never more: an email or phone number typed into a text is masked on the page, so a
search for it must not say which input holds it. Only rows that may hold contact data can
differ from what is published: those are read and masked (:func:`_published_where`), the others
are matched by the database as stored; count and page stay queries of the database.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session

from stages import participation, vocabulary
from stages.errors import Misuse
from storage import process_by_slug
from storage import models as m

from .public import Fmt

#: The lists offered a page at a time.
LISTS = ("inputs", "activities", "progress_reports")
PER_PAGE, MAX_PER_PAGE = 50, 200


def _matching(q: str, *columns) -> Any:
    needle = q.strip().lower()
    return or_(*(func.lower(c).contains(needle, autoescape=True) for c in columns))


def page(db_engine: Engine, slug: str, name: str, *, page: int = 1, per_page: int = PER_PAGE, q: str = "",
         lang: str = "es") -> dict[str, Any]:
    """Page ``page`` (from 1) of list ``name`` (:data:`LISTS`): ``items``, ``total`` (rows that
    match ``q``), ``all`` (every row), ``pages``, and the page asked for."""
    if name not in LISTS:
        raise Misuse(f"no list {name!r}: one of {LISTS}")
    page, per_page, q = max(1, int(page)), min(max(1, int(per_page)), MAX_PER_PAGE), (q or "").strip()[:200]
    with Session(db_engine) as db:
        p = process_by_slug(db, slug)
        f = Fmt(p.timezone)
        base, search, order, make = _QUERIES[name](p.id)
        where = [base] + ([_matching(q, *search)] if q else [])
        every = db.execute(select(func.count()).select_from(_MODELS[name]).where(base)).scalar_one()
        if q and name == "inputs":
            where = [base, _published_where(db, base, q)]
        total = every if not q else db.execute(_count(name, where)).scalar_one()
        rows = db.execute(_select(name).where(*where).order_by(order).limit(per_page)
                          .offset((page - 1) * per_page)).all()
        items = make(db, rows, f, lang)
    return {"list": name, "items": items, "total": total, "all": every, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page)), "q": q}


# --- inputs ----------------------------------------------------------------------------------

_Theme = aliased(m.Theme)
_Commitment = aliased(m.Commitment)


def _input_query(pid: int):
    i = m.Input
    # A hidden input (spam, insult, personal data: a coordinator's recorded reason) is not listed.
    return (and_(i.process_id == pid, i.hidden_reason.is_(None)), (i.key, i.text, i.rationale), i.id, _input_items)


#: What a phone number is written with; a span of them starts with a digit, ``(`` or ``+`` and ends with a digit.
_PHONE_CHARS = " \t\n\r().+-"


def _reaches_a_phone(needle: str) -> bool:
    """Whether ``needle`` could be found only inside (or across the edge of) a phone number: it
    holds a digit, is made of a phone's separators alone, or ends where a number may begin."""
    return (any(ch.isdigit() for ch in needle) or needle.strip(_PHONE_CHARS) == ""
            or needle.endswith(("(", "+")))


def _has_digit(db, column) -> Any:
    value = func.coalesce(column, "")
    if db.get_bind().dialect.name == "postgresql":
        return value.op("~")("[0-9]")
    return value.op("GLOB")("*[0-9]*")


def _published_where(db, base, q: str) -> Any:
    """The condition keeping the inputs whose published text (masked), response or key contains ``q``.

    A row can be found differently in its published text only where ``q`` touches contact data:
    an email (rows with an ``@``), a phone number (rows with a digit, when ``q`` could reach one),
    or a mark (``[correo oculto]``: ``q`` holds a bracket or lies inside a mark, and every row that
    may hold contact data is read). Those rows are read and masked here; the database matches the
    others as stored."""
    i, needle = m.Input, q.strip().lower()
    marks = [participation.EMAIL_MASK.lower(), participation.PHONE_MASK.lower()]
    overlaps_mark = "[" in needle or "]" in needle or any(needle in mark for mark in marks)
    stored = _matching(q, i.key, i.text, i.rationale)
    risky = [func.coalesce(i.text, "").contains("@"), func.coalesce(i.rationale, "").contains("@")]
    if overlaps_mark or _reaches_a_phone(needle):
        risky += [_has_digit(db, i.text), _has_digit(db, i.rationale)]
    risky_rows = or_(*risky)
    kept, left_out = [], []
    for id_, key, text, rationale in db.execute(select(i.id, i.key, i.text, i.rationale).where(
            base, risky_rows, *([] if overlaps_mark else [stored]))):
        shown = any(needle in (v or "").lower() for v in (key, participation.mask(text), participation.mask(rationale)))
        (kept if shown else left_out).append(id_)
    if overlaps_mark:
        return or_(and_(~risky_rows, stored), i.id.in_(kept))
    if not left_out:
        return stored
    # the shorter list of ids: those kept (a search for an email keeps none) or those left out
    return and_(stored, or_(~risky_rows, i.id.in_(kept))) if len(kept) <= len(left_out) else \
        and_(stored, ~i.id.in_(left_out))


def _input_select():
    i = m.Input
    return (select(i.key, m.Channel.key, i.text, i.sector, i.received_on, _Theme.key, i.disposition, i.rationale,
                   i.answered_at, i.kind, i.themes, _Commitment.key, m.Channel.name, _Theme.name, _Commitment.title)
            .outerjoin(m.Channel, m.Channel.id == i.channel_id).outerjoin(_Theme, _Theme.id == i.theme_id)
            .outerjoin(_Commitment, _Commitment.id == i.commitment_id))


def _input_items(db, rows, f: Fmt, lang: str) -> list[dict[str, Any]]:
    # Input.contact_name / contact_email are personal data: never read here.
    # Addresses and phone numbers inside a text are masked, as on the public page; a comment on the
    # draft plan has no channel (outer join).
    return [{"key": key, "channel": channel, "kind": kind, "text": participation.mask(text), "sector": sector,
             "sector_label": vocabulary.label("sector", sector, lang), "received_on": f.day(received),
             "theme": theme, "themes": list(themes or []), "commitment": commitment, "disposition": disposition,
             "rationale": participation.mask(rationale), "answered_at": f.at(answered),
             "channel_name": channel_name, "theme_name": theme_name, "commitment_title": commitment_title}
            for (key, channel, text, sector, received, theme, disposition, rationale, answered, kind, themes, commitment,
                 channel_name, theme_name, commitment_title) in rows]


# --- activities ------------------------------------------------------------------------------

def _activity_query(pid: int):
    a = m.Activity
    return (a.process_id == pid, (a.key, a.title, a.deliverable), a.id, _activity_items)


def _activity_select():
    a = m.Activity
    return (select(a.id, a.key, m.Commitment.key, a.title, a.deliverable, m.Agency.key, m.Agency.name, a.start_date,
                   a.end_date, a.accepted_at, a.status, a.percent)
            .outerjoin(m.Commitment, m.Commitment.id == a.commitment_id).outerjoin(m.Agency, m.Agency.id == a.agency_id))


def _activity_items(db, rows, f: Fmt, lang: str) -> list[dict[str, Any]]:
    reports: dict[int, list] = defaultdict(list)
    ids = [r[0] for r in rows]
    if ids:
        r = m.ProgressReport
        for activity_id, status, percent, evidence, reported, recorded in db.execute(
                select(r.activity_id, r.status, r.percent, r.evidence_ref, r.reported_on, r.recorded_at)
                .where(r.activity_id.in_(ids)).order_by(r.id)):
            reports[activity_id].append({"status": status, "percent": percent, "evidence_ref": evidence,
                                         "reported_on": f.day(reported), "recorded_at": f.at(recorded)})
    return [{"key": key, "commitment": commitment, "title": title, "deliverable": deliverable, "agency": agency,
             "agency_name": agency_name, "start_date": f.day(start), "end_date": f.day(end),
             "accepted_at": f.at(accepted), "status": status, "percent": percent, "reports": reports.get(id_, [])}
            for id_, key, commitment, title, deliverable, agency, agency_name, start, end, accepted, status, percent
            in rows]


# --- progress reports ------------------------------------------------------------------------

def _report_query(pid: int):
    r = m.ProgressReport
    return (r.process_id == pid, (m.Activity.key, m.Activity.title, r.evidence_ref), r.id, _report_items)


def _report_select():
    r = m.ProgressReport
    return (select(m.Activity.key, m.Commitment.key, m.Agency.key, r.status, r.percent, r.evidence_ref, r.reported_on,
                   r.recorded_at)
            .join(m.Activity, m.Activity.id == r.activity_id)
            .outerjoin(m.Commitment, m.Commitment.id == m.Activity.commitment_id)
            .outerjoin(m.Agency, m.Agency.id == m.Activity.agency_id))


def _report_items(db, rows, f: Fmt, lang: str) -> list[dict[str, Any]]:
    return [{"activity": activity, "commitment": commitment, "agency": agency, "status": status, "percent": percent,
             "evidence_ref": evidence, "reported_on": f.day(reported), "recorded_at": f.at(recorded)}
            for activity, commitment, agency, status, percent, evidence, reported, recorded in rows]


_MODELS = {"inputs": m.Input, "activities": m.Activity, "progress_reports": m.ProgressReport}
_QUERIES = {"inputs": _input_query, "activities": _activity_query, "progress_reports": _report_query}
_SELECTS = {"inputs": _input_select, "activities": _activity_select, "progress_reports": _report_select}


def _select(name: str):
    return _SELECTS[name]()


def _count(name: str, where: list):
    """The rows of ``name`` that match: the page's joins only where the search needs them."""
    if name == "progress_reports":
        r = m.ProgressReport
        return select(func.count()).select_from(r).join(m.Activity, m.Activity.id == r.activity_id).where(*where)
    return select(func.count()).select_from(_MODELS[name]).where(*where)
