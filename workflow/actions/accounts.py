"""The ``set_credentials`` action: a person's sign-in password and API token, stored hashed.

A person sets their own credentials; a coordinator may set anyone's in the process. The
audit trail records that it happened, never the secret (``audit.PRIVATE_KEYS``).
"""
from __future__ import annotations

from sqlmodel import select

from stages.errors import InvalidInput, NotAllowed, not_found, reason
from storage.accounts import Account
from storage.models import Person

from .. import schemas as s
from ..credentials import hash_password, token_digest
from ..engine import Context


def set_credentials(ctx: Context, d: s.SetCredentials):
    """Set a person's sign-in password and/or API token (stored hashed; own, or anyone's for a coordinator)."""
    if ctx.actor.role != "coordinator" and ctx.actor.handle != d.handle:
        raise NotAllowed([reason("credentials_only_own", actor=ctx.actor.handle, handle=d.handle)])
    if not (d.password or d.api_token or d.revoke_token):
        raise InvalidInput([reason("credentials_nothing_to_set")])
    person = ctx.db.exec(select(Person).where(Person.process_id == ctx.process.id, Person.handle == d.handle)).first()
    if person is None or not person.active:
        raise not_found("person", d.handle)
    account = ctx.db.exec(select(Account).where(Account.person_id == person.id)).first()
    if account is None:
        account = Account(person_id=person.id)
    if d.password:
        account.password_hash = hash_password(d.password)
    if d.revoke_token:
        account.api_token_hash = None
    if d.api_token:
        account.api_token_hash = token_digest(d.api_token)
    account.updated_at = ctx.now
    ctx.db.add(account)
    return {"person": d.handle, "password_set": bool(d.password), "api_token_set": bool(d.api_token),
            "api_token_revoked": bool(d.revoke_token and not d.api_token)}
