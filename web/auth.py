"""Who is asking: sessions kept by the server, CSRF, the sign-in limits, API tokens, and handing
over the secrets the actions make.

- Session: the ``cocrea_session`` cookie holds 256 random bits and nothing else; the server
  keeps their SHA-256 in ``sign_in_session`` (:mod:`workflow.signin`). Logging out deletes the
  row, so a copied cookie stops working; a password change or a reset deletes every row of
  that person; a session unused for :attr:`Settings.idle` (default 2 h) or older than
  :attr:`Settings.lifetime` (12 h) ends. No signing key is involved: a restart or another web
  process sees the same sessions.
- Cookies: ``HttpOnly``, ``SameSite=Lax``, ``Path=/``; over HTTPS (the request's scheme, or
  ``COCREA_HTTPS_ONLY``) also ``Secure`` and named with the ``__Host-`` prefix.
- CSRF: every form that posts carries a token compared in constant time: the session's own
  once signed in, before that a random value also set as a cookie (the sign-in and access-code
  forms). A post whose ``Origin`` is another site, or that the browser marks
  ``Sec-Fetch-Site: cross-site``, is refused even with a token.
- Sign-in limits (:func:`check_password`): each attempt is counted in the database *before* its
  password is checked (:func:`workflow.signin.reserve`), per account and per client address;
  after the free attempts a key waits a backoff that doubles with each further failure. A
  browser the person signed in with before (the ``cocrea_device`` cookie) is counted on its
  own, so a stranger guessing from a shared address cannot lock the person out of it.
- The client address is the connection's, or ``X-Forwarded-For`` only from a proxy listed in
  ``COCREA_TRUSTED_PROXIES`` (``web.app``).

Why one module: who is asking is one concern with one set of settings (:class:`Settings`):
cookies, sessions, CSRF, sign-in limits and tokens read the same cookies and settings, and the
pages need only this module for it.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlencode, urlsplit

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from markupsafe import escape

from i18n import gettext
from notifications import config
from notifications.mime import Mail, build
from notifications.transport import transport_for
from reads import accounts
from workflow import signin
from workflow.signin import Limit
from stages.errors import BadAddress, ConfigError, DeliveryFailure
from workflow.credentials import Issued

from .i18n import date_text

log = logging.getLogger("cocrea.web")

SESSION_COOKIE = "cocrea_session"
CSRF_COOKIE = "cocrea_csrf"
DEVICE_COOKIE = "cocrea_device"


MINUTE, HOUR = dt.timedelta(minutes=1), dt.timedelta(hours=1)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: not a number: {raw!r}") from None
    if not 0 < value < 1e6:
        raise ConfigError(f"{name}: must be more than 0, not {raw!r}")
    return value


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: not a whole number: {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{name}: must be at least 1, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """The sign-in settings, from the environment (:meth:`from_env`; docs/web.md lists them)."""

    idle: dt.timedelta = dt.timedelta(hours=2)
    lifetime: dt.timedelta = dt.timedelta(hours=12)
    token_valid: dt.timedelta = dt.timedelta(days=90)
    account: Limit = Limit(5, dt.timedelta(seconds=30), dt.timedelta(minutes=30))
    address: Limit = Limit(50, dt.timedelta(seconds=30), dt.timedelta(minutes=30))
    device_valid: dt.timedelta = dt.timedelta(days=180)
    https: bool = False
    trusted_proxies: tuple[str, ...] = ()
    #: A session's last use is written at most this often (a read page takes no write otherwise).
    touch_every: dt.timedelta = dt.timedelta(minutes=5)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """From the environment or the config file's ``[web]`` (docs/settings.md)."""
        from notifications.config import settings as in_force

        env = in_force() if env is None else env
        base = cls()
        account_free = _whole(env, "COCREA_SIGNIN_ACCOUNT_ATTEMPTS", base.account.free)
        address_free = _whole(env, "COCREA_SIGNIN_ADDRESS_ATTEMPTS", base.address.free)
        proxies = tuple(p.strip() for p in env.get("COCREA_TRUSTED_PROXIES", "").split(",") if p.strip())
        return cls(idle=dt.timedelta(minutes=_number(env, "COCREA_SESSION_IDLE_MINUTES", base.idle / MINUTE)),
                   lifetime=dt.timedelta(hours=_number(env, "COCREA_SESSION_HOURS", base.lifetime / HOUR)),
                   token_valid=dt.timedelta(days=_whole(env, "COCREA_TOKEN_DAYS", base.token_valid.days)),
                   account=Limit(account_free, base.account.first_wait, base.account.longest_wait),
                   address=Limit(address_free, base.address.first_wait, base.address.longest_wait),
                   https=env.get("COCREA_HTTPS_ONLY", "") not in ("", "0", "false"),
                   trusted_proxies=proxies)


def settings(request: Request) -> Settings:
    return request.app.state.settings


def now(request: Request) -> dt.datetime:
    return request.app.state.clock.now()


# --- cookies -------------------------------------------------------------------------------


def is_https(request: Request) -> bool:
    return settings(request).https or request.url.scheme == "https"


def cookie_name(request: Request, base: str) -> str:
    return ("__Host-" + base) if is_https(request) else base


def set_cookie(request: Request, response: Response, base: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(cookie_name(request, base), value, max_age=max_age, path="/", httponly=True,
                        samesite="lax", secure=is_https(request))


def clear_cookie(request: Request, response: Response, base: str) -> None:
    response.delete_cookie(cookie_name(request, base), path="/", httponly=True, samesite="lax",
                           secure=is_https(request))


def _cookie(request: Request, base: str) -> str:
    return request.cookies.get(cookie_name(request, base), "")


# --- sessions ----------------------------------------------------------------------------------


async def current(request: Request) -> accounts.SignIn | None:
    """The open session of this request, if any (looked up once per request; its last use is
    written at most every :attr:`Settings.touch_every`)."""
    if hasattr(request.state, "sign_in"):
        return request.state.sign_in
    value, found = _cookie(request, SESSION_COOKIE), None
    if value:
        s, at = settings(request), now(request)
        found = await run_in_threadpool(accounts.session, request.app.state.read_engine, value, at, s.idle, s.lifetime)
        if found is not None and at - found.seen_at >= s.touch_every:
            await run_in_threadpool(signin.touch, request.app.state.engine, found.digest, at)
    request.state.sign_in = found
    return found


async def identity(request: Request) -> accounts.Identity | None:
    found = await current(request)
    return found.identity if found else None


async def sign_in(request: Request, response: Response, who: accounts.Identity) -> None:
    """Start a new session (never reuse one: a session this browser had ends) and remember this
    browser for this person."""
    engine, at = request.app.state.engine, now(request)
    old = _cookie(request, SESSION_COOKIE)
    if old:
        await run_in_threadpool(signin.end_session, engine, old)
    value = await run_in_threadpool(signin.start_session, engine, who.person_id, at)
    set_cookie(request, response, SESSION_COOKIE, value)
    device = _cookie(request, DEVICE_COOKIE)
    known = device and await run_in_threadpool(accounts.device_owner, request.app.state.read_engine, device, at,
                                               settings(request).device_valid) == who.person_id
    if not known:
        device = await run_in_threadpool(signin.remember_device, engine, who.person_id, at)
        set_cookie(request, response, DEVICE_COOKIE, device,
                   max_age=int(settings(request).device_valid.total_seconds()))
    s = settings(request)
    await run_in_threadpool(signin.forget_old, engine, at, s.idle, s.lifetime, s.account.forget_after,
                            s.device_valid)
    request.state.sign_in = None


async def sign_out(request: Request, response: Response) -> None:
    value = _cookie(request, SESSION_COOKIE)
    if value:
        await run_in_threadpool(signin.end_session, request.app.state.engine, value)
    clear_cookie(request, response, SESSION_COOKIE)
    request.state.sign_in = None


async def flash(request: Request, notice: dict | None) -> None:
    """What an action did, to be said once on the next page of this session."""
    found = await current(request)
    if found is not None:
        await run_in_threadpool(signin.set_flash, request.app.state.engine, found.digest,
                                json.dumps(notice, ensure_ascii=False) if notice else None)


async def take_flash(request: Request) -> list[dict]:
    found = await current(request)
    if found is None or not found.flash:
        return []
    await run_in_threadpool(signin.set_flash, request.app.state.engine, found.digest, None)
    try:
        notice = json.loads(found.flash)
    except ValueError:
        return []
    return [notice] if isinstance(notice, dict) else []


# --- CSRF ----------------------------------------------------------------------------------------


async def csrf_token(request: Request) -> str:
    """The token the forms of this page carry: the session's, or (not signed in) the value of
    the CSRF cookie, made now when the browser has none (:func:`keep_csrf` sets it)."""
    found = await current(request)
    if found is not None:
        return found.csrf
    token = _cookie(request, CSRF_COOKIE)
    if not (token and len(token) <= 64):
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def keep_csrf(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_csrf", None)
    if token:
        set_cookie(request, response, CSRF_COOKIE, token)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_site(request: Request) -> bool:
    """Whether the browser says the post comes from this site (or says nothing)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = {_origin(str(request.base_url)), _origin(request.app.state.public_url)}
    return origin.lower() in own


async def csrf_ok(request: Request, submitted: object) -> bool:
    """Whether a post carries this browser's token and comes from this site."""
    found = await current(request)
    expected = found.csrf if found is not None else _cookie(request, CSRF_COOKIE)
    return bool(same_site(request) and expected and isinstance(submitted, str) and submitted
                and secrets.compare_digest(expected.encode(), submitted.encode("utf-8", "surrogatepass")))


# --- passwords under limits ----------------------------------------------------------------


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"


@dataclass
class Attempt:
    """The outcome of a checked password: who (``None``: wrong), or how long to wait first."""

    identity: accounts.Identity | None = None
    wait: float = 0.0
    keys: dict[str, Limit] = field(default_factory=dict)


async def check_password(request: Request, slug: str, handle: str, password: str) -> Attempt:
    """Count the attempt, then (if no key must wait) check the password, outside any transaction."""
    s, at = settings(request), now(request)
    read, write = request.app.state.read_engine, request.app.state.engine
    device = _cookie(request, DEVICE_COOKIE)
    owner = device and await run_in_threadpool(accounts.device_owner, read, device, at, s.device_valid)
    person = owner and await run_in_threadpool(accounts.person_id_of, read, slug, handle)
    if owner and owner == person:  # a browser this person signed in with: counted on its own
        keys = {"device:" + signin.digest(device): s.account}
        clear, give_back = [*keys, signin.account_key(slug, handle)], {}
    else:
        account = signin.account_key(slug, handle)
        address = "address:" + client_address(request)[:150]
        keys = {account: s.account, address: s.address}
        clear, give_back = [account], {address: s.address}
    wait = await run_in_threadpool(signin.reserve, write, keys, at)
    if wait > 0:
        return Attempt(wait=wait, keys=keys)
    if len(password) > 1000:
        return Attempt(keys=keys)  # counted as a failure, never hashed
    who = await run_in_threadpool(accounts.authenticate, read, slug, handle, password)
    if who is not None:
        await run_in_threadpool(signin.release, write, clear, give_back, at)
    return Attempt(identity=who, keys=keys)


async def release_account(request: Request, slug: str, handle: str) -> None:
    """The account's count starts again (the person proved who they are another way)."""
    await run_in_threadpool(signin.release, request.app.state.engine, [signin.account_key(slug, handle)], {},
                            now(request))


# --- API tokens ------------------------------------------------------------------------------


async def bearer(request: Request) -> tuple[accounts.Identity | None, str | None]:
    """(identity, problem code) from ``Authorization: Bearer <token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "token_missing"
    return await run_in_threadpool(accounts.token_identity, request.app.state.read_engine, token.strip(),
                                   now(request), settings(request).token_valid)


def token_expires(request: Request, made_at: dt.datetime | None) -> dt.datetime | None:
    return made_at + settings(request).token_valid if made_at else None


# --- handing over what an action made --------------------------------------------------------


def access_link(request: Request, slug: str, handle: str) -> str:
    return f"{request.app.state.public_url}/acceso?" + urlencode({"process": slug, "handle": handle})


@dataclass
class Handover:
    """What became of the secrets an action made: ``shown`` to the actor now (once), ``sent``
    by email to their owner, ``unsent`` (the email could not go: nobody saw the code)."""

    shown: list[dict] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    unsent: list[dict] = field(default_factory=list)


def _transport(request: Request):
    mail = request.app.state.mail
    if mail is None:
        mail = request.app.state.mail = config.load()
    return mail.smtp, transport_for(mail.smtp)


async def _send_code(request: Request, item: Issued, invite: bool = False) -> None:
    smtp, transport = _transport(request)
    lang = item.lang if item.lang in ("es", "en") else "es"
    fields = {"name": item.name, "process": item.process, "handle": item.handle, "code": item.value,
              "link": access_link(request, item.process, item.handle),
              "expires": date_text(item.expires_at.isoformat(timespec="minutes"), lang) + " UTC"}
    if invite:
        subject = gettext(lang, "You are invited to the workspace of '{process}'").format(**fields)
        text = gettext(lang, "Hello, {name}:\n\nYou are invited to the workspace of the process '{process}', where "
                             "it is co-created. To choose your own password, open\n\n{link}\n\nand type your "
                             "handle, '{handle}', and this one-time code:\n\n{code}\n\nThe code works once, until "
                             "{expires}. If you did not expect this message, ignore it.").format(**fields)
    else:
        subject = gettext(lang, "Your one-time code to choose a new password")
        text = gettext(lang, "Hello, {name}:\n\nThe coordination of the process '{process}' reset your access to the "
                             "workspace. To choose a new password, open\n\n{link}\n\nand type your handle, "
                             "'{handle}', and this one-time code:\n\n{code}\n\nThe code works once, until "
                             "{expires}. If you did not expect this message, tell the coordination of the "
                             "process.").format(**fields)
    html = "<p>" + "</p><p>".join(str(escape(p)).replace("\n", "<br>") for p in text.split("\n\n")) + "</p>"
    domain = smtp.message_id_domain or (smtp.sender.split("@")[-1] if "@" in smtp.sender else "cocrea.local")
    key = f"access.{uuid.uuid4().hex}@{domain}"
    data = build(Mail(smtp.sender, smtp.sender_name, item.email, item.name, subject, text, html, key, lang=lang))
    lane = transport.lane()
    try:
        await lane.send(smtp.sender, item.email, data, key)
    finally:
        await lane.close()


async def hand_over(request: Request, issued: list[Issued], invite: bool = False) -> Handover:
    """Show the actor their own token or a code to hand over in person; send a code to its
    owner's email (never shown to the actor)."""
    out = Handover()
    for item in issued:
        public = {"kind": item.kind, "process": item.process, "handle": item.handle, "name": item.name,
                  "made_at": item.made_at.isoformat()}
        expires = item.expires_at or (token_expires(request, item.made_at) if item.kind == "api_token" else None)
        public["expires_at"] = expires.isoformat() if expires else None
        if item.email is None:
            out.shown.append({**public, "value": item.value, "link": access_link(request, item.process, item.handle)
                              if item.kind == "access_code" else None})
            continue
        try:
            await _send_code(request, item, invite)
        except (DeliveryFailure, BadAddress, ConfigError, OSError) as exc:
            log.warning("access code for %s/%s not sent: %s", item.process, item.handle,
                                                    type(exc).__name__)
            out.unsent.append(public)
        else:
            out.sent.append(public)
    return out
