"""The coordinators' workspace: sign-in, the dashboard, and one form per action.

Every write is ``actions.apply(engine, name, payload, actor=<signed-in handle>, process=slug)``.
A refusal re-renders the form with what the user typed and every reason, in their
language; nothing here decides who may do what (the action's roles and the engine do).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reads import accounts, public, workspace
from stages.errors import CocreaError, NotAllowed, NotFound
from workflow import actions, credentials

from . import auth, forms
from .context import error_status, lang_of, safe_next
from .i18n import form_reason, said, web_reason
from .render import render

router = APIRouter(include_in_schema=False)
HIDDEN_FIELDS = {"set_credentials": {"api_token"}}


def _page(request: Request, template: str, code: int = 200, **ctx: Any) -> HTMLResponse:
    lang = ctx.pop("lang", None) or lang_of(request)
    ctx.setdefault("identity", None)
    ctx.setdefault("request_path", request.url.path)
    ctx.setdefault("csrf", auth.csrf_token(request))
    ctx.setdefault("flash", [n if isinstance(n, dict) else {"text": str(n), "refused": False}
                             for n in request.session.pop("flash", [])])
    return HTMLResponse(render(template, lang=lang, **ctx), status_code=code,
                        headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, Any]:
    data = await request.form()
    out: dict[str, Any] = {}
    for key in data.keys():
        values = [v for v in data.getlist(key) if isinstance(v, str)]
        out[key] = values if len(values) > 1 else (values[0] if values else "")
    return out


def _signed_in(request: Request, slug: str):
    """(identity, redirect-or-error response)."""
    engine = request.app.state.engine
    identity = auth.current(request, engine)
    if identity is None:
        target = "/login?" + urlencode({"next": request.url.path, "process": slug})
        return None, RedirectResponse(target, status_code=303)
    if identity.process != slug:
        lang = lang_of(request)
        return None, _page(request, "error.html", 403, identity=identity, status=403,
                           reasons=[web_reason("wrong_process", process=identity.process).as_dict(lang)])
    return identity, None


# --- sign-in ---------------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request, next: str = "", process: str = "") -> Response:
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang_of(request))
    # Public pages are cached for everyone and always offer "sign in": whoever is already
    # signed in lands here, is told so and is offered the way to the workspace.
    identity = auth.current(request, request.app.state.engine)
    return _page(request, "login.html", processes=items, values={"process": process, "handle": "", "next": next},
                 reasons=[], identity=identity)


@router.post("/login")
async def login(request: Request) -> Response:

    form = await _form(request)
    lang = lang_of(request)
    slug, handle = str(form.get("process", "")), str(form.get("handle", "")).strip()
    values = {"process": slug, "handle": handle, "next": str(form.get("next", ""))}
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang)

    def again(code: str, status: int, **details) -> HTMLResponse:
        return _page(request, "login.html", status, processes=items, values=values,
                     reasons=[web_reason(code, **details).as_dict(lang)])

    if not auth.csrf_ok(request, form.get("csrf")):
        return again("csrf_failed", 403)
    address = request.client.host if request.client else "-"
    limiter: auth.RateLimiter = request.app.state.limiter
    wait = limiter.blocked(address, f"{slug}/{handle}")
    if wait > 0:
        response = again("too_many_attempts", 429, minutes=max(1, round(wait / 60)))
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    identity = await run_in_threadpool(accounts.authenticate, request.app.state.engine, slug, handle,
                                       str(form.get("password", "")))
    if identity is None:
        limiter.failed(address, f"{slug}/{handle}")
        return again("login_failed", 401)
    limiter.succeeded(address, f"{slug}/{handle}")
    auth.sign_in(request, identity)
    target = safe_next(values["next"]) if values["next"] else f"/w/{quote(slug)}"
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _form(request)
    if auth.csrf_ok(request, form.get("csrf")):
        auth.sign_out(request)
    return RedirectResponse("/", status_code=303)


# --- dashboard -------------------------------------------------------------------------


@router.get("/w/{slug}")
async def dashboard(request: Request, slug: str) -> Response:
    identity, response = _signed_in(request, slug)
    if response:
        return response
    lang = lang_of(request)
    view = await run_in_threadpool(workspace.workspace_view, request.app.state.engine, slug, identity.handle, lang)
    return _page(request, "dashboard.html", identity=identity, w=view, today=request.app.state.clock.now().date().isoformat())


@router.get("/w/{slug}/account")
async def account(request: Request, slug: str) -> Response:
    identity, response = _signed_in(request, slug)
    if response:
        return response
    return _page(request, "account.html", identity=identity, slug=slug, token=None, reasons=[])


@router.post("/w/{slug}/account/token")
async def new_token(request: Request, slug: str) -> Response:
    """Create an API token for the signed-in person and show it once."""
    identity, response = _signed_in(request, slug)
    if response:
        return response
    form = await _form(request)
    lang = lang_of(request)
    if not auth.csrf_ok(request, form.get("csrf")):
        return _page(request, "account.html", 403, identity=identity, slug=slug, token=None,
                     reasons=[web_reason("csrf_failed").as_dict(lang)])
    token = credentials.new_token()
    try:
        await run_in_threadpool(actions.apply, request.app.state.engine, "set_credentials",
                                {"handle": identity.handle, "api_token": token}, actor=identity.handle, process=slug,
                                clock=request.app.state.clock)
    except CocreaError as exc:
        return _page(request, "account.html", error_status(exc), identity=identity, slug=slug, token=None,
                     reasons=[r.as_dict(lang) for r in exc.reasons])
    # The credentials changed, so the sign-in stamp did too: renew this session's.
    fresh = await run_in_threadpool(accounts.current_stamp, request.app.state.engine, slug, identity.handle)
    request.session["stamp"] = fresh
    return _page(request, "account.html", identity=identity, slug=slug, token=token, reasons=[])


# --- one form per action ---------------------------------------------------------------


def _fields(name: str) -> list[forms.FormField]:
    hidden = HIDDEN_FIELDS.get(name, set())
    return [f for f in forms.fields_for(actions.ACTIONS[name].schema) if f.name not in hidden]


def _action_page(request: Request, slug: str, name: str, identity, values: dict, reasons: list, status: int,
                 choices: dict) -> HTMLResponse:
    fields = _fields(name)
    shown = forms.initial(fields, {k: v for k, v in values.items() if k != "password"})
    return _page(request, "action.html", status, identity=identity, slug=slug, name=name, fields=fields,
                 values=shown, reasons=reasons, choices=choices, action=actions.ACTIONS[name],
                 next=values.get("next", ""), bad_fields=[r["details"].get("field", "").split(".")[0]
                                                          for r in reasons if r["code"] == "invalid_field"])


def _action_or_404(request: Request, name: str):
    action = actions.ACTIONS.get(name)
    if action is None or action.creates_process:
        raise NotFound([web_reason("not_found_page", path=request.url.path)])
    return action


@router.get("/w/{slug}/do/{name}")
async def action_form(request: Request, slug: str, name: str) -> Response:
    _action_or_404(request, name)
    identity, response = _signed_in(request, slug)
    if response:
        return response
    lang = lang_of(request)
    view = await run_in_threadpool(workspace.workspace_view, request.app.state.engine, slug, identity.handle, lang)
    reasons = []
    if identity.role not in actions.ACTIONS[name].roles:
        exc = NotAllowed([_not_allowed(identity, name)])
        reasons = [r.as_dict(lang) for r in exc.reasons]
    return _action_page(request, slug, name, identity, dict(request.query_params), reasons, 200, view["choices"])


def _not_allowed(identity, name: str):
    from stages.errors import reason
    return reason("actor_not_allowed", actor=identity.handle, role=identity.role, action=name,
                  allowed=list(actions.ACTIONS[name].roles))


@router.post("/w/{slug}/do/{name}")
async def action_submit(request: Request, slug: str, name: str) -> Response:

    _action_or_404(request, name)
    identity, response = _signed_in(request, slug)
    if response:
        return response
    lang = lang_of(request)
    engine = request.app.state.engine
    form = await _form(request)
    values = {f.name: form.get(f.name, "") for f in forms.leaves(_fields(name))}
    values["next"] = str(form.get("next", ""))

    async def refused(reasons: list, status: int) -> HTMLResponse:
        view = await run_in_threadpool(workspace.workspace_view, engine, slug, identity.handle, lang)
        return _action_page(request, slug, name, identity, values, reasons, status, view["choices"])

    if not auth.csrf_ok(request, form.get("csrf")):
        return await refused([web_reason("csrf_failed").as_dict(lang)], 403)
    payload = forms.parse(actions.ACTIONS[name].schema, form)
    for hidden in HIDDEN_FIELDS.get(name, ()):
        payload.pop(hidden, None)
    try:
        result = await run_in_threadpool(actions.apply, engine, name, payload, actor=identity.handle, process=slug,
                                clock=request.app.state.clock)
    except CocreaError as exc:
        return await refused([form_reason(lang, name, r) for r in exc.reasons], error_status(exc))
    if name == "set_credentials" and payload.get("handle") == identity.handle:
        request.session["stamp"] = await run_in_threadpool(accounts.current_stamp, engine, slug, identity.handle)
    request.session["flash"] = [said(lang, name, result).as_dict()]
    target = safe_next(values["next"]) if values["next"] else f"/w/{quote(slug)}"
    return RedirectResponse(target, status_code=303)
