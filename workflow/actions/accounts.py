"""The ``set_credentials`` action: a person's sign-in password, API token and access reset.

- A password is set by its owner only (hashed while the payload is validated, outside the
  transaction); it ends every session of that person.
- An API token is made by the server, for the actor only, and handed over once through
  :func:`workflow.credentials.issue`; it never appears in the result.
- A coordinator may revoke someone's token, or *reset their access*: the password, the token
  and the sessions end, and a one-time code is issued for the person, to be sent to their
  email by the caller (the coordinator never sees it) or, without an email, shown once to the
  coordinator to hand over in person. With the code the person chooses a new password
  (``reset_code`` with ``password``); the code works once, for
  :data:`~workflow.credentials.ACCESS_CODE_VALID`.

The audit trail records what changed (``password_set``, ``access_reset``, ``delivery``...),
never a secret (``audit.PRIVATE_KEYS`` redacts the password; codes and tokens are not in it).
"""
from __future__ import annotations

import secrets

from sqlmodel import delete, select

from stages.errors import InvalidInput, NotAllowed, not_found, reason
from storage.accounts import Account, SignInSession
from storage.models import Person

from .. import schemas as s
from ..engine import Context


def _end_sessions(ctx: Context, person: Person) -> None:
    ctx.db.exec(delete(SignInSession).where(SignInSession.person_id == person.id))


def set_credentials(ctx: Context, d: s.SetCredentials):
    """Set one's own password or make one's own API token, revoke a token, or (coordinators) reset someone's access."""
    from .. import credentials  # argon2 (and its C bindings) for this action only, not every action's import

    own = ctx.actor.handle == d.handle
    coordinator = ctx.actor.role == "coordinator"
    if not own and not coordinator:
        raise NotAllowed([reason("credentials_only_own", actor=ctx.actor.handle, handle=d.handle)])
    if d.password and not own:
        raise NotAllowed([reason("password_only_owner", actor=ctx.actor.handle, handle=d.handle)])
    if d.new_token and not own:
        raise NotAllowed([reason("token_only_owner", actor=ctx.actor.handle, handle=d.handle)])
    if d.reset_access and not coordinator:
        raise NotAllowed([reason("reset_by_coordinator", actor=ctx.actor.handle)])
    if not (d.password or d.new_token or d.revoke_token or d.reset_access):
        raise InvalidInput([reason("credentials_nothing_to_set")])
    if d.reset_code and not d.password:
        raise InvalidInput([reason("reset_code_needs_password")])
    if d.reset_access and (d.password or d.new_token or d.reset_code):
        raise InvalidInput([reason("reset_access_alone")])
    person = ctx.db.exec(select(Person).where(Person.process_id == ctx.process.id, Person.handle == d.handle)).first()
    if person is None or not person.active:
        raise not_found("person", d.handle)
    account = ctx.db.exec(select(Account).where(Account.person_id == person.id)).first()
    if account is None:
        account = Account(person_id=person.id)
    result = {"person": d.handle, "password_set": False, "api_token_set": False, "api_token_revoked": False}

    if d.reset_code:
        valid = (account.reset_code_hash is not None and account.reset_expires_at is not None
                 and ctx.now < account.reset_expires_at
                 and secrets.compare_digest(account.reset_code_hash, credentials.code_digest(d.reset_code)))
        if not valid:
            raise NotAllowed([reason("reset_code_invalid", handle=d.handle)])
        account.reset_code_hash = account.reset_expires_at = None
        result["access_restored"] = True
    if d.password:
        account.password_hash = d.password_hash or credentials.hash_password(d.password)
        result["password_set"] = True
        _end_sessions(ctx, person)
    if d.revoke_token or d.reset_access or d.reset_code:
        result["api_token_revoked"] = account.api_token_hash is not None
        account.api_token_hash = account.api_token_created_at = None
    if d.new_token:
        token = credentials.new_token()
        account.api_token_hash, account.api_token_created_at = credentials.token_digest(token), ctx.now
        result["api_token_set"], result["api_token_revoked"] = True, False
        credentials.issue(credentials.Issued("api_token", ctx.process.slug, person.handle, person.name, token,
                                             ctx.now, lang=person.lang))
    if d.reset_access:
        code = credentials.new_access_code()
        account.password_hash = None
        account.reset_code_hash = credentials.code_digest(code)
        account.reset_expires_at = ctx.now + credentials.ACCESS_CODE_VALID
        _end_sessions(ctx, person)
        result.update(access_reset=True, delivery="email" if person.email else "in_person",
                      code_expires_at=account.reset_expires_at.isoformat())
        credentials.issue(credentials.Issued("access_code", ctx.process.slug, person.handle, person.name, code,
                                             ctx.now, account.reset_expires_at, person.email or None, person.lang))
    account.updated_at = ctx.now
    ctx.db.add(account)
    return result
