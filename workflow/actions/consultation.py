"""Declaration and consultation: the declaration, channels, inputs and their reasoned responses, themes."""
from __future__ import annotations

from sqlmodel import select

from stages.errors import InvalidInput, reason
from stages.participation import mask, masks_nothing
from storage import direct
from storage import models as m

from .. import schemas as s
from ..engine import Context
from .participation import answer_email
from .lookup import get, next_key, not_in_future, require, taken, today, upsert


def sign_declaration(ctx: Context, d: s.SignDeclaration):
    """Record the declaration of political will, its signatories and document."""
    if d.signed_on is None:
        d.signed_on = today(ctx)
    not_in_future(ctx, "declaration", d.signed_on)
    ctx.insert(m.Declaration, process_id=ctx.process.id, signed_on=d.signed_on, document_ref=d.document_ref,
               signatories=[x.model_dump() for x in d.signatories])
    return {"signed_on": d.signed_on.isoformat(), "sectors": sorted({x.sector for x in d.signatories})}


def open_channel(ctx: Context, d: s.OpenChannel):
    """Open (or correct) a consultation channel, with its announcement and dates (they may lie
    ahead: a channel is announced before it opens)."""
    require("channel_dates_in_order", announced_on=d.announced_on, opens_on=d.opens_on, closes_on=d.closes_on)
    row = upsert(ctx, m.Channel, d.key, "c", **d.model_dump(exclude={"key"}))
    for i in ctx.db.exec(select(m.Input).where(m.Input.channel_id == row.id)):  # a correction keeps its inputs inside
        require("input_inside_channel_window", received_on=i.received_on, opens_on=row.opens_on,
                closes_on=row.closes_on, accepts_late=row.accepts_late)
        late = row.closes_on is not None and i.received_on > row.closes_on
        if i.late != late:
            i.late = late
            ctx.db.add(i)
    return {"channel": row.key}


def record_input(ctx: Context, d: s.RecordInput):
    """Record a consultation input, received through a channel while it was open (or late, where
    the channel takes late inputs, and then marked late); contact data is kept private."""
    channel = get(ctx, m.Channel, d.channel, "channel")
    not_in_future(ctx, "input", d.received_on)
    require("input_inside_channel_window", received_on=d.received_on, opens_on=channel.opens_on,
            closes_on=channel.closes_on, accepts_late=channel.accepts_late)
    late = is_late(channel, d.received_on)
    theme = get(ctx, m.Theme, d.theme, "theme") if d.theme else None
    key = d.key or next_key(ctx, m.Input, "i")
    if taken(ctx, m.Input, key):
        raise InvalidInput([reason("duplicate_key", kind="input", key=key)])
    original, d.text = published(d.text)  # the trail keeps the masked text too (it is written after this)
    ctx.insert(m.Input, process_id=ctx.process.id, key=key, channel_id=channel.id, text=d.text, sector=d.sector,
               contact_name=d.contact_name, contact_email=d.contact_email, received_on=d.received_on,
               late=late, theme_id=theme.id if theme else None, original_text=original)
    return {"input": key, "late": True} if late else {"input": key}


def published(text: str) -> tuple[str | None, str]:
    """``(original, masked)``: an input's text with the emails and phone numbers typed into it
    masked, and the text as received (kept privately), or ``None`` when it held no contact data
    (the mask changed nothing: :func:`stages.participation.mask` returns a text without an ``@``
    or a run of ten digits as is, so the common text costs one pattern search). ``record_input``
    and ``import_inputs`` store an input's text through it: one place."""
    masked = mask(text)
    return (None, text) if masked == text else (text, masked)


def published_all(texts: list[str]) -> tuple[list, list[str]]:
    """:func:`published` of each text: ``(originals, masked)``, two lists. A batch of texts without
    an ``@`` or a run of ten digits (:func:`stages.participation.mask`'s fast path, asked once of
    the texts joined by a character that cannot be part of either) is returned as is, without a
    step per text."""
    if masks_nothing(texts):
        return [None] * len(texts), texts
    pairs = list(map(published, texts))
    return [p[0] for p in pairs], [p[1] for p in pairs]


def is_late(channel: m.Channel, received_on) -> bool:
    """An input received after its channel closed (the channel takes late inputs)."""
    return channel.closes_on is not None and received_on > channel.closes_on


def answer_input(ctx: Context, d: s.AnswerInput):
    """Give an input its reasoned response: disposition and rationale."""
    row = get(ctx, m.Input, d.input, "input")
    require("answer_after_input", input=row.key, received_on=row.received_on, answered_on=today(ctx))
    theme = {"theme_id": get(ctx, m.Theme, d.theme, "theme").id} if d.theme else {}
    d.rationale = mask(d.rationale)  # a response is published: no email or phone in it, nor in the trail
    direct.update(ctx.db, row, disposition=d.disposition, rationale=d.rationale, answered_at=ctx.now, **theme)
    answer_email(ctx, row)  # to its author, when their email is confirmed
    return {"input": row.key, "disposition": d.disposition}


def add_theme(ctx: Context, d: s.AddTheme):
    """Add (or rename) a theme raised by the consultation."""
    row = upsert(ctx, m.Theme, d.key, "t", name=d.name, description=d.description)
    return {"theme": row.key}


def prioritise_themes(ctx: Context, d: s.PrioritiseThemes):
    """Set the prioritised themes, in order; the others lose their priority."""
    chosen = [get(ctx, m.Theme, k, "theme") for k in d.themes]
    ranks = {t.id: rank for rank, t in enumerate(chosen, 1)}
    every = list(ctx.db.exec(select(m.Theme).where(m.Theme.process_id == ctx.process.id)))
    for t in every:  # the old priorities gone first, then the new ones: one UPDATE a row that changes
        if t.priority is not None and t.priority != ranks.get(t.id):
            direct.update(ctx.db, t, priority=None)
    for t in every:
        if t.id in ranks and t.priority != ranks[t.id]:
            direct.update(ctx.db, t, priority=ranks[t.id])
    return {"themes": list(d.themes)}

