"""Citizens taking part on the public site, without signing in.

- ``/p/<slug>/participa``: while an online channel is open, the form (text, themes, the optional
  questions the process asks, an optional email for the reasoned response, the privacy notice
  accepted before sending); otherwise when it opens, or that it closed, and the other channels.
- ``/p/<slug>/comentar``: while the secretariat's period for public comment is open, the draft
  commitments and a form to comment on one (the same fields, a commitment instead of themes).
- ``/p/<slug>/seguir``: follow the process by email (a weekly digest once confirmed).
- ``/p/<slug>/confirmar/<token>``, ``/p/<slug>/seguir/confirmar/<token>`` (following needs its
  own confirmation) and ``/p/<slug>/baja/<token>``: the links of the emails. A GET
  only shows a button (a link scanner fetching the link changes nothing); the POST acts. The
  unsubscribe POST is RFC 8058's one-click (``List-Unsubscribe=One-Click``), which a mail client
  sends without a cookie: the token in the address is what authorises it.

Every write is a public action (``submit_input``, ``follow_process``, ``confirm_email``,
``confirm_follow``, ``unfollow_process``) run by the anonymous actor ``public``; the limits live in the action. The
form carries a honeypot field, hidden from people: a post that fills it is thanked and dropped.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reads import public
from stages.errors import CocreaError
from workflow import actions

from . import auth
from .context import error_status, lang_of
from .i18n import web_reason
from .render import render

router = APIRouter(include_in_schema=False)
#: The honeypot: a field people never see (hidden by the style sheet and from assistive technology).
HONEYPOT = "website"
PUBLIC = "public"


async def _page(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = lang_of(request)
    ctx.setdefault("csrf", await auth.csrf_token(request))
    response = HTMLResponse(render(template, lang=lang, request_path=request.url.path, identity=None, **ctx),
                            status_code=status, headers={"Cache-Control": "no-store"})
    auth.keep_csrf(request, response)
    return response


async def _form(request: Request) -> dict[str, Any]:
    from .api import form_of

    return await form_of(request, lists=("themes",))


async def _apply(request: Request, action: str, slug: str, payload: dict) -> dict:
    return await run_in_threadpool(actions.apply, request.app.state.engine, action, payload, actor=PUBLIC,
                                   process=slug, clock=request.app.state.clock)


async def _view(request: Request, slug: str) -> dict:
    return await run_in_threadpool(public.participation_view, request.app.state.read_engine, slug,
                                   lang_of(request), request.app.state.clock)


def _refused(request: Request, exc: CocreaError) -> list[dict]:
    return [r.as_dict(lang_of(request)) for r in exc.reasons]


@router.get("/p/{slug}/participa")
async def participate_form(request: Request, slug: str) -> Response:
    view = await _view(request, slug)
    return await _page(request, "participate.html", v=view, values={}, reasons=[])


@router.post("/p/{slug}/participa")
async def participate(request: Request, slug: str) -> Response:
    return await _submit(request, slug, "participate.html")


@router.get("/p/{slug}/comentar")
async def comment_form(request: Request, slug: str, compromiso: str = "") -> Response:
    """The draft commitments and a form to comment on one, while the secretariat's period is open."""
    view = await _view(request, slug)
    return await _page(request, "comment.html", v=view, values={"commitment": compromiso}, reasons=[])


@router.post("/p/{slug}/comentar")
async def comment(request: Request, slug: str) -> Response:
    return await _submit(request, slug, "comment.html")


async def _submit(request: Request, slug: str, template: str) -> Response:
    """An input (``participate.html``) or a comment on a draft commitment (``comment.html``)."""
    view = await _view(request, slug)
    form = await _form(request)
    if not await auth.csrf_ok(request, form.get("csrf")):
        return await _page(request, template, 403, v=view, values=form,
                           reasons=[web_reason("csrf_failed").as_dict(lang_of(request))])
    if form.get(HONEYPOT):  # filled by a robot: thanked, not recorded
        return RedirectResponse(f"/p/{quote(slug)}/participa/gracias", status_code=303)
    profile = {k: form[f"profile_{k}"] for k in view["ask"] if form.get(f"profile_{k}")}
    payload = {"text": form.get("text", ""), "profile": profile, "lang": lang_of(request),
               "privacy_accepted": form.get("privacy") == "yes", "client_address": auth.client_address(request)[:200]}
    if template == "comment.html":
        payload["commitment"] = form.get("commitment", "")
    else:
        payload["channel"] = form.get("channel") or (view["open"][0]["key"] if view["open"] else "")
        payload["themes"] = [t for t in form.get("themes", []) if t]
    if form.get("email"):
        payload["email"] = form["email"]
    try:
        result = await _apply(request, "submit_input", slug, payload)
    except CocreaError as exc:
        return await _page(request, template, error_status(exc), v=view, values=form,
                           reasons=_refused(request, exc))
    email = "1" if form.get("email") else "0"
    return RedirectResponse(f"/p/{quote(slug)}/participa/gracias?aporte={quote(result['input'])}&correo={email}",
                            status_code=303)


@router.get("/p/{slug}/participa/gracias")
async def participate_done(request: Request, slug: str, aporte: str = "", correo: str = "0") -> Response:
    view = await _view(request, slug)
    return await _page(request, "participate_done.html", v=view, key=aporte[:64], email=correo == "1")


@router.get("/p/{slug}/seguir")
async def follow_form(request: Request, slug: str) -> Response:
    view = await _view(request, slug)
    return await _page(request, "follow.html", v=view, values={}, reasons=[], done=False)


@router.post("/p/{slug}/seguir")
async def follow(request: Request, slug: str) -> Response:
    view = await _view(request, slug)
    form = await _form(request)
    if not await auth.csrf_ok(request, form.get("csrf")):
        return await _page(request, "follow.html", 403, v=view, values=form, done=False,
                           reasons=[web_reason("csrf_failed").as_dict(lang_of(request))])
    if not form.get(HONEYPOT):
        try:
            await _apply(request, "follow_process", slug, {
                "email": form.get("email", ""), "lang": lang_of(request), "privacy_accepted": form.get("privacy") == "yes",
                "client_address": auth.client_address(request)[:200]})
        except CocreaError as exc:
            return await _page(request, "follow.html", error_status(exc), v=view, values=form, done=False,
                               reasons=_refused(request, exc))
    return await _page(request, "follow.html", v=view, values={}, reasons=[], done=True)


async def _link(request: Request, slug: str, token: str, what: str) -> Response:
    view = await _view(request, slug)
    return await _page(request, "contact_link.html", v=view, what=what, token=token, done=False, reasons=[])


async def _act_on_link(request: Request, slug: str, token: str, what: str, action: str) -> Response:
    view = await _view(request, slug)
    try:
        await _apply(request, action, slug, {"token": token})
    except CocreaError as exc:
        return await _page(request, "contact_link.html", error_status(exc), v=view, what=what, token=token,
                           done=False, reasons=_refused(request, exc))
    return await _page(request, "contact_link.html", v=view, what=what, token=token, done=True, reasons=[])


@router.get("/p/{slug}/confirmar/{token}")
async def confirm_page(request: Request, slug: str, token: str) -> Response:
    return await _link(request, slug, token, "confirm")


@router.post("/p/{slug}/confirmar/{token}")
async def confirm(request: Request, slug: str, token: str) -> Response:
    return await _act_on_link(request, slug, token, "confirm", "confirm_email")


@router.get("/p/{slug}/seguir/confirmar/{token}")
async def confirm_follow_page(request: Request, slug: str, token: str) -> Response:
    return await _link(request, slug, token, "follow")


@router.post("/p/{slug}/seguir/confirmar/{token}")
async def confirm_follow(request: Request, slug: str, token: str) -> Response:
    """Following confirmed by its own link (the address's confirmation is not enough)."""
    return await _act_on_link(request, slug, token, "follow", "confirm_follow")


@router.get("/p/{slug}/baja/{token}")
async def unfollow_page(request: Request, slug: str, token: str) -> Response:
    return await _link(request, slug, token, "unfollow")


@router.post("/p/{slug}/baja/{token}")
async def unfollow(request: Request, slug: str, token: str) -> Response:
    """The one-click unsubscribe (RFC 8058) and the page's button alike."""
    return await _act_on_link(request, slug, token, "unfollow", "unfollow_process")
