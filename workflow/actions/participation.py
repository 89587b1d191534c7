"""Citizens on the public site: inputs and comments, their contact, the privacy notice, hiding.

The public actions (``ActionDef.public``) are done by the anonymous actor ``public``: the web
app's participation form, the confirmation link, following and leaving a process. They run
through :func:`workflow.engine.run` like any other action, with the process row locked, so the
limits against abuse (inputs, and follows, per address and per email a day) hold whatever the number of web
processes. The audit trail keeps what was said, never who said it: the email, the address it came
from, the answers about oneself and the confirmation token are redacted (``workflow.audit``).
The coordinators configure what is asked and the privacy notice, hide an input with a recorded
reason (its text is kept) or show again one hidden by mistake, and erase a citizen's contact data
on request (ARCO).

Why one module: every action here shares the public actor's limits, the contact's lifecycle
(given, confirmed, followed, erased) and the masking of contact data; apart, each would copy them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Literal, Optional

from pydantic import Field
from sqlalchemy import func
from sqlmodel import select

from i18n import D_
from notifications import citizens
from stages import participation as rules
from stages.chronology import local_today as local_day
from stages.errors import invalid_field, not_found, refuse
from storage import models as m

from ..engine import Context
from ..schemas import Email, Key, Line, Note, Schema, SectorName, Text1, text_type
from .lookup import get, next_key, today

WebText = text_type(1, rules.WEB_INPUT_MAX)
#: The longest privacy notice.
NOTICE_MAX = 20000
NoticeText = text_type(0, NOTICE_MAX)
Token = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Lang = Literal["es", "en"]
#: The network address the site saw (kept only as a digest): no control characters, like any text.
Address = text_type(1, 200)
Limit = Annotated[int, Field(ge=1, le=10000)]


class ConfigureParticipation(Schema):
    """Only the fields given change."""

    privacy_notice: Optional[NoticeText] = Field(
        None, description=D_("the privacy notice shown before sending (empty: cocrea's default, citing the LGPDPPSO)"))
    retention_days: Optional[Annotated[int, Field(ge=0, le=3650)]] = Field(
        None, description=D_("days the contact data is kept after the process closes"))
    ask: Optional[list[Literal[rules.PROFILE_FIELDS]]] = Field(  # type: ignore[valid-type]
        None, description=D_("what participants are asked about themselves, all optional"))
    per_address: Optional[Limit] = Field(None, description=D_("inputs a day from one network address"))
    per_email: Optional[Limit] = Field(None, description=D_("inputs a day with one email"))


class Profile(Schema):
    sector: Optional[SectorName] = None
    organisation: Optional[Line] = None
    state: Optional[Line] = None
    gender: Optional[Literal[rules.GENDERS]] = None  # type: ignore[valid-type]
    age_range: Optional[Literal[rules.AGE_RANGES]] = None  # type: ignore[valid-type]


class SubmitInput(Schema):
    channel: Optional[Key] = Field(None, description=D_("the online channel open today (for an input)"))
    commitment: Optional[Key] = Field(None, description=D_("the draft commitment commented on (for a comment)"))
    text: WebText
    themes: list[Key] = Field(default_factory=list, max_length=20)
    profile: Profile = Field(default_factory=Profile, description=D_("private"))
    email: Optional[Email] = Field(None, description=D_("private"))
    lang: Lang = "es"
    privacy_accepted: bool = Field(False, description=D_("the privacy notice was shown and accepted"))
    client_address: Optional[Address] = Field(None, description=D_("private"))


class HideInput(Schema):
    input: Key
    reason: Literal[rules.HIDE_REASONS]  # type: ignore[valid-type]
    note: Note = ""


class UnhideInput(Schema):
    input: Key
    reason: Text1


class ConfirmEmail(Schema):
    token: Token


class FollowProcess(Schema):
    email: Email = Field(description=D_("private"))
    lang: Lang = "es"
    privacy_accepted: bool = False
    client_address: Optional[Address] = Field(None, description=D_("private"))


class UnfollowProcess(Schema):
    token: Token


class PurgeContactData(Schema):
    pass


class EraseContact(Schema):
    email: Optional[Email] = Field(None, description=D_("private"))
    input: Optional[Key] = Field(None, description=D_("an input whose author asks (when no email was given)"))


def _settings(ctx: Context) -> dict:
    return rules.settings(ctx.process)


def configure_participation(ctx: Context, d: ConfigureParticipation):
    """Set what the participation form asks, the privacy notice and the limits against abuse."""
    settings = dict(ctx.process.settings or {})
    own = dict(settings.get("participation") or {})
    if d.privacy_notice is not None:
        own["privacy_notice"] = d.privacy_notice
    if d.ask is not None:
        own["ask"] = list(dict.fromkeys(d.ask))
    if d.retention_days is not None:
        own["retention_days"] = d.retention_days
    limits = dict(own.get("limits") or {})
    for name in ("per_address", "per_email"):
        if getattr(d, name) is not None:
            limits[name] = getattr(d, name)
    own["limits"] = limits
    settings["participation"] = own
    ctx.process.settings = settings
    ctx.db.add(ctx.process)
    return {"ask": rules.settings(ctx.process)["ask"], "limits": rules.settings(ctx.process)["limits"],
            "retention_days": rules.settings(ctx.process)["retention_days"],
            "privacy_notice": "own" if own.get("privacy_notice") else "default"}


def _digest(ctx: Context, address: str) -> str:
    return hashlib.sha256(f"{ctx.process.id}:{address}".encode()).hexdigest()[:32]


def _count_today(ctx: Context, column, value) -> int:
    return ctx.db.exec(select(func.count()).select_from(m.Input).where(
        m.Input.process_id == ctx.process.id, m.Input.received_on == today(ctx), column == value)).one()


#: The refusals of the limits a day, per thing counted: (from one address, with one email).
LIMIT_CODES = {"inputs": ("too_many_inputs_from_address", "too_many_inputs_from_email"),
               "follows": ("too_many_follows_from_address", "too_many_follows_from_email")}


def _within_limits(ctx: Context, what: str, from_address: int | None, with_email: int | None) -> None:
    """The limits against abuse, one rule for taking part and following: at most ``per_address``
    of ``what`` a day from one network address and ``per_email`` with one email (configure_participation);
    the counts are those of the process's day, kept in the database (``None``: not known)."""
    limits, (address_code, email_code) = _settings(ctx)["limits"], LIMIT_CODES[what]
    if from_address is not None and from_address >= limits["per_address"]:
        raise refuse(address_code, limit=limits["per_address"])
    if with_email is not None and with_email >= limits["per_email"]:
        raise refuse(email_code, limit=limits["per_email"])


def _on_today(ctx: Context, moments) -> int:
    """How many of ``moments`` (UTC, the last two days at most) fall on the process's day."""
    return sum(1 for at in moments if at is not None and local_day(at, ctx.process.timezone) == today(ctx))


def _follows_today(ctx: Context, digest: str | None, contact: m.CitizenContact | None) -> tuple:
    """The follows started today from the address ``digest``, and the confirmations of following
    queued today to ``contact`` (its email)."""
    since = ctx.now - dt.timedelta(days=2)
    from_address = _on_today(ctx, ctx.db.exec(select(m.CitizenContact.followed_at).where(
        m.CitizenContact.process_id == ctx.process.id, m.CitizenContact.source_digest == digest,
        m.CitizenContact.followed_at >= since))) if digest else None
    with_email = _on_today(ctx, ctx.db.exec(select(m.OutboxMessage.created_at).where(
        m.OutboxMessage.contact_id == contact.id, m.OutboxMessage.kind == "follow_confirmation",
        m.OutboxMessage.created_at >= since))) if contact is not None else 0
    return from_address, with_email


def _confirm(ctx: Context, contact: m.CitizenContact) -> None:
    """Ask an address not confirmed yet to confirm itself (once per token)."""
    if contact.confirmed_at is None:
        citizens.enqueue(ctx.db, ctx.process, contact, "email_confirmation", f"confirm-{contact.token[:10]}", ctx.now)


def submit_input(ctx: Context, d: SubmitInput):
    """A citizen's input sent from the public site while an online channel is open (or a comment
    on a draft commitment while the secretariat's period for comments is open): the privacy notice
    accepted, no contact data in the text, within the limits of the day. An email given is asked to
    confirm itself before anything else is sent to it; the input counts either way."""
    if not d.privacy_accepted:
        raise refuse("privacy_notice_not_accepted")
    day = today(ctx)
    channel = commitment = None
    if d.commitment:  # a comment on a draft commitment, while the secretariat's period is open
        commitment = get(ctx, m.Commitment, d.commitment, "commitment")
        period = rules.comment_period(ctx.process)
        if not (period and period["opens_on"] <= day <= period["closes_on"] and ctx.process.stage == "commitments"
                and commitment.status == "draft"):
            raise refuse("comment_period_not_open", commitment=commitment.title, today=day.isoformat())
    elif d.channel:
        channel = get(ctx, m.Channel, d.channel, "channel")
        if not rules.is_online(channel) or channel.opens_on is None or not rules.open_on(channel, day):
            raise refuse("channel_not_open_online", channel=channel.name, today=day.isoformat())
    else:
        raise invalid_field("channel", "missing")
    found = rules.contact_data(d.text)
    if found:
        raise refuse("contact_data_in_text", kinds=found)
    themes = [get(ctx, m.Theme, k, "theme") for k in dict.fromkeys(d.themes)]
    s = _settings(ctx)
    digest = _digest(ctx, d.client_address) if d.client_address else None
    _within_limits(ctx, "inputs", _count_today(ctx, m.Input.source_digest, digest) if digest else None,
                   _count_today(ctx, m.Input.contact_email, d.email) if d.email else None)
    profile = {k: v for k, v in d.profile.model_dump(exclude_none=True).items() if k in s["ask"] and v != ""}
    key = next_key(ctx, m.Input, "i")
    ctx.db.add(m.Input(process_id=ctx.process.id, key=key, channel_id=channel.id if channel else None, text=d.text,
                       sector=profile.get("sector") or "citizen", contact_email=d.email, received_on=day,
                       theme_id=themes[0].id if themes else None, themes=[t.key for t in themes], profile=profile,
                       source_digest=digest, kind="comment" if commitment else "input",
                       commitment_id=commitment.id if commitment else None))
    if d.email:
        _confirm(ctx, citizens.contact(ctx.db, ctx.process, d.email, d.lang, ctx.now))
    return {"input": key}


def hide_input(ctx: Context, d: HideInput):
    """Hide an input from the public pages for a recorded reason (spam, insult, personal data);
    its text is kept, and the public page says how many were hidden and why."""
    row = get(ctx, m.Input, d.input, "input")
    d.note = rules.mask(d.note) or ""  # the reason may quote the text: no email or phone in it, nor in the trail
    row.hidden_reason, row.hidden_note, row.hidden_at = d.reason, d.note, ctx.now
    ctx.db.add(row)
    ctx.reason = d.note
    return {"input": row.key, "hidden": d.reason}


def unhide_input(ctx: Context, d: UnhideInput):
    """Show again an input hidden by mistake, saying why; its hiding stays in the audit trail, and
    the public pages count it again (without a reasoned response, it is back among those to answer)."""
    row = get(ctx, m.Input, d.input, "input")
    if not row.hidden_reason:
        raise refuse("input_not_hidden", input=row.key)
    d.reason = rules.mask(d.reason) or ""  # no email or phone in the trail
    row.hidden_reason, row.hidden_note, row.hidden_at = None, "", None
    ctx.db.add(row)
    ctx.reason = d.reason
    return {"input": row.key, "shown": True}


def _contact_by_token(ctx: Context, token: str) -> m.CitizenContact:
    row = ctx.db.exec(select(m.CitizenContact).where(m.CitizenContact.process_id == ctx.process.id,
                                                     m.CitizenContact.token == token)).first()
    if row is None or row.erased_at is not None:
        raise not_found("link", "—")
    return row


def answer_email(ctx: Context, row: m.Input) -> None:
    """Queue the reasoned response of ``row`` to its author, when their address is confirmed."""
    if not row.contact_email or not row.disposition:
        return
    contact = ctx.db.exec(select(m.CitizenContact).where(m.CitizenContact.process_id == ctx.process.id,
                                                         m.CitizenContact.email == row.contact_email)).first()
    if contact is not None and contact.confirmed_at is not None and contact.erased_at is None:
        citizens.enqueue(ctx.db, ctx.process, contact, "input_answer", row.key, ctx.now)


def confirm_email(ctx: Context, d: ConfirmEmail):
    """Confirm a citizen's email through the link sent to it; responses already given follow."""
    row = _contact_by_token(ctx, d.token)
    if row.confirmed_at is None:
        row.confirmed_at = ctx.now
        ctx.db.add(row)
        ctx.db.flush()
        for i in ctx.db.exec(select(m.Input).where(m.Input.process_id == ctx.process.id,
                                                   m.Input.contact_email == row.email)):
            answer_email(ctx, i)
    return {"confirmed": True}


def follow_process(ctx: Context, d: FollowProcess):
    """Follow the process by email: a weekly digest of what changed, once the subscription is
    confirmed through its own link (an address confirmed for an input is not enough: nobody is
    subscribed by someone else); that link confirms the address too. Within the same limits a day
    as taking part (per network address, per email), counted apart."""
    if not d.privacy_accepted:
        raise refuse("privacy_notice_not_accepted")
    known = ctx.db.exec(select(m.CitizenContact).where(m.CitizenContact.process_id == ctx.process.id,
                                                       m.CitizenContact.email == d.email.strip())).first()
    digest = _digest(ctx, d.client_address) if d.client_address else None
    if known is None or not known.following:  # a follow starts: within the day's limits
        _within_limits(ctx, "follows", *_follows_today(ctx, digest, known))
    row = citizens.contact(ctx.db, ctx.process, d.email, d.lang, ctx.now)
    if not row.following:
        row.following, row.followed_at, row.unfollowed_at, row.follow_confirmed_at = True, ctx.now, None, None
        row.source_digest = digest
        ctx.db.add(row)
    if row.follow_confirmed_at is None:
        ctx.db.flush()
        citizens.enqueue(ctx.db, ctx.process, row, "follow_confirmation", f"follow-{row.token[:10]}", ctx.now)
    return {"following": True}


def confirm_follow(ctx: Context, d: ConfirmEmail):
    """Confirm, through the link sent when following, that the address wants the weekly digest;
    the address is confirmed with it (responses already given follow)."""
    row = _contact_by_token(ctx, d.token)
    if not row.following:
        raise not_found("link", "—")
    if row.follow_confirmed_at is None:
        row.follow_confirmed_at = ctx.now
        ctx.db.add(row)
    if row.confirmed_at is None:
        confirm_email(ctx, d)
    return {"following": True, "confirmed": True}


def unfollow_process(ctx: Context, d: UnfollowProcess):
    """Stop every email to an address (the one-click link of each email): it stops following,
    and nothing more is sent to it unless it is given and confirmed again."""
    row = _contact_by_token(ctx, d.token)
    row.following, row.unfollowed_at, row.confirmed_at, row.follow_confirmed_at = False, ctx.now, None, None
    row.token = citizens.new_token()  # the old links stop working
    ctx.db.add(row)
    citizens.cancel_pending(ctx.db, row.id, "unsubscribed: la persona se dio de baja")
    return {"following": False}


def erase_contact(ctx: Context, d: EraseContact):
    """Erase a citizen's personal data on request (ARCO: cancellation): the email, name, answers
    about themselves and address digest of every input they sent, their contact and the addresses
    kept in the outbox. The inputs' text stays; the audit trail never held the data."""
    if not d.email and not d.input:
        raise invalid_field("email", "missing")
    email = d.email or get(ctx, m.Input, d.input, "input").contact_email
    inputs = list(ctx.db.exec(select(m.Input).where(m.Input.process_id == ctx.process.id,
                                                    m.Input.contact_email == email))) if email else []
    if d.input:
        inputs += [i for i in [get(ctx, m.Input, d.input, "input")] if i not in inputs]
    contact = ctx.db.exec(select(m.CitizenContact).where(m.CitizenContact.process_id == ctx.process.id,
                                                         m.CitizenContact.email == email)).first() if email else None
    _erase(ctx, inputs, [contact] if contact is not None else [])
    return {"inputs": len(inputs), "contact": contact is not None}


def _erase(ctx: Context, inputs: list, contacts: list) -> None:
    for row in inputs:
        row.contact_email = row.contact_name = row.source_digest = row.original_text = None
        row.profile = {}
        ctx.db.add(row)
    for contact in contacts:
        citizens.forget(ctx.db, contact.id)
        contact.email = contact.token = None
        contact.following, contact.confirmed_at, contact.erased_at = False, None, ctx.now
        contact.follow_confirmed_at = contact.source_digest = None
        ctx.db.add(contact)


def retention_end(db, process: m.Process) -> dt.date | None:
    """The first day the citizens' contact data of ``process`` may be purged; ``None`` while it
    is not closed."""
    closed = db.exec(select(m.StageChange).where(m.StageChange.process_id == process.id,
                                                 m.StageChange.to_stage == "closed")
                     .order_by(m.StageChange.at.desc())).first()
    if process.stage != "closed" or closed is None:
        return None
    return rules.retention_ends(process, closed.at)


def contact_data_held(db, process: m.Process) -> tuple[list[m.Input], list[m.CitizenContact]]:
    """The inputs of ``process`` still holding a citizen's data, and its contacts not erased."""
    inputs = list(db.exec(select(m.Input).where(m.Input.process_id == process.id).where(
        (m.Input.contact_email.is_not(None)) | (m.Input.contact_name.is_not(None))
        | (m.Input.source_digest.is_not(None)) | (m.Input.original_text.is_not(None)))))
    contacts = list(db.exec(select(m.CitizenContact).where(m.CitizenContact.process_id == process.id,
                                                           m.CitizenContact.erased_at.is_(None))))
    return inputs, contacts


def purge_contact_data(ctx: Context, d: PurgeContactData):
    """Erase every citizen's contact data of a closed process once its retention period has passed
    (configure_participation retention_days, 180 days after the close by default); the inputs'
    text stays."""
    days = _settings(ctx)["retention_days"]
    ends = retention_end(ctx.db, ctx.process)
    if ends is None:
        raise refuse("retention_not_over", days=days, since="-")
    if today(ctx) < ends:
        raise refuse("retention_not_over", days=days, since=ends.isoformat())
    inputs, contacts = contact_data_held(ctx.db, ctx.process)
    _erase(ctx, inputs, contacts)
    ctx.reason = rules.RETENTION_REASON
    return {"inputs": len(inputs), "contacts": len(contacts)}
