"""The instance administrators' pages: sign in, see the processes, create one and invite its
first coordinator by email.

An administrator is not a person of any process (``cocrea admin create`` adds one, who types their
own password). Creating a process is the ``create_process`` action, as ``cocrea init`` does; the
first coordinator is invited with ``set_credentials`` ``reset_access``: a one-time code and a link
to ``/acceso`` go to their email, and they choose their own password there. No one sets another
person's password.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reads import accounts, workspace
from reads import status as status_reads
from stages import TEMPLATES, vocabulary
from stages.errors import CocreaError, InvalidInput
from stages.templates import TRIPARTITE
from workflow import actions, credentials, signin

from . import auth, forms
from .api import form_of
from .context import error_status, lang_of
from .i18n import form_reason, web_reason
from .render import render

router = APIRouter(include_in_schema=False)
ADMIN_COOKIE = "cocrea_admin"
#: The sectors a secretariat may require (citizens take part through the consultation, not as a sector).
SECTORS = [s for s in vocabulary.TERMS["sector"] if s != "citizen"]


async def _page(request: Request, template: str, code: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("identity", None)
    ctx.setdefault("request_path", request.url.path)
    ctx.setdefault("flash", [])
    ctx["csrf"] = await auth.csrf_token(request)
    response = HTMLResponse(render(template, lang=lang_of(request), **ctx), status_code=code,
                            headers={"Cache-Control": "no-store"})
    auth.keep_csrf(request, response)
    return response


async def _form(request: Request) -> dict[str, Any]:
    return await form_of(request)


async def _admin(request: Request) -> accounts.Admin | None:
    value = request.cookies.get(auth.cookie_name(request, ADMIN_COOKIE), "")
    s = auth.settings(request)
    at = auth.now(request)
    found = await run_in_threadpool(accounts.admin_session, request.app.state.engine, value, at, s.idle, s.lifetime)
    if found is not None:
        await run_in_threadpool(signin.admin_touch, request.app.state.engine, value, at)
    return found


@router.get("/admin/login")
async def admin_login_form(request: Request) -> Response:
    return await _page(request, "admin_login.html", reasons=[], values={"handle": ""})


@router.post("/admin/login")
async def admin_login(request: Request) -> Response:
    form = await _form(request)
    lang = lang_of(request)
    handle = str(form.get("handle", "")).strip()

    async def again(code: str, status: int, **details) -> HTMLResponse:
        return await _page(request, "admin_login.html", status, values={"handle": handle},
                           reasons=[web_reason(code, **details).as_dict(lang)])

    if not await auth.csrf_ok(request, form.get("csrf")):
        return await again("csrf_failed", 403)
    s, at = auth.settings(request), auth.now(request)
    keys = {"admin:" + handle[:100]: s.account, "address:" + auth.client_address(request)[:150]: s.address}
    wait = await run_in_threadpool(signin.reserve, request.app.state.engine, keys, at)
    if wait > 0:
        response = await again("too_many_attempts", 429, minutes=max(1, -(-int(wait) // 60)))
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    who = await run_in_threadpool(accounts.admin_authenticate, request.app.state.read_engine, handle,
                                  str(form.get("password", "")))
    if who is None:
        return await again("login_failed", 401)
    await run_in_threadpool(signin.release, request.app.state.engine, ["admin:" + handle[:100]], {}, at)
    old = request.cookies.get(auth.cookie_name(request, ADMIN_COOKIE), "")
    if old:  # a new session, never the one this browser brought (planted or left over): that one ends
        await run_in_threadpool(signin.admin_end_session, request.app.state.engine, old)
    value = await run_in_threadpool(signin.admin_start_session, request.app.state.engine, who.id, at)
    response = RedirectResponse("/admin", status_code=303)
    auth.set_cookie(request, response, ADMIN_COOKIE, value)
    return response


@router.post("/admin/logout")
async def admin_logout(request: Request) -> Response:
    form = await _form(request)
    response = RedirectResponse("/", status_code=303)
    if await auth.csrf_ok(request, form.get("csrf")):
        value = request.cookies.get(auth.cookie_name(request, ADMIN_COOKIE), "")
        await run_in_threadpool(signin.admin_end_session, request.app.state.engine, value)
        auth.clear_cookie(request, response, ADMIN_COOKIE)
    return response


def _create_fields() -> list[forms.FormField]:
    """The fields of ``create_process`` the form asks for (the template and the quorum have their own
    controls; the slug may be left empty: made from the name)."""
    keep = {"name", "slug", "starts_on", "term_months", "coordinator_name", "coordinator_email"}
    out = []
    for f in forms.fields_for(actions.ACTIONS["create_process"].schema):
        if f.name in keep:
            out.append(forms.FormField(f.name, f.kind, f.required and f.name != "slug", f.options, f.columns,
                                       f.bool_columns, f.default, f.description, f.children))
    return out


async def _admin_page(request: Request, admin, status: int = 200, values: dict | None = None,
                      reasons: list | None = None, created: dict | None = None) -> HTMLResponse:
    processes = await run_in_threadpool(status_reads.processes, request.app.state.read_engine)
    values = values or {}
    fields = _create_fields()
    shown = forms.initial(fields, values)
    chosen = values.get("sectors")
    chosen = list(TRIPARTITE) if chosen is None else ([chosen] if isinstance(chosen, str) else chosen)
    sectors = [{"code": s, "checked": s in chosen, "min": values.get(f"min_{s}", "1")} for s in SECTORS]
    templates = [{"name": t.name, "term_months": t.term_months, "ruleset": t.ruleset} for t in TEMPLATES.values()]
    return await _page(request, "admin.html", status, admin=admin, processes=processes, fields=fields, values=shown,
                       chosen_template=values.get("template", "inai_local"), templates=templates, sectors=sectors,
                       min_members=values.get("min_members", "0"),
                       coordinator_handle=values.get("coordinator_handle", ""),
                       reasons=reasons or [], created=created, template_help=template_help(lang_of(request)))


@router.get("/admin")
async def admin_home(request: Request) -> Response:
    admin = await _admin(request)
    if admin is None:
        return RedirectResponse("/admin/login", status_code=303)
    return await _admin_page(request, admin)


@router.post("/admin/processes")
async def create(request: Request) -> Response:
    """Create a process (``create_process``) and invite its first coordinator by email."""
    admin = await _admin(request)
    if admin is None:
        return RedirectResponse("/admin/login", status_code=303)
    form = await _form(request)
    lang = lang_of(request)
    values = {k: v for k, v in form.items() if k != "csrf"}
    if not await auth.csrf_ok(request, form.get("csrf")):
        return await _admin_page(request, admin, 403, values, [web_reason("csrf_failed").as_dict(lang)])
    asked = {f.name for f in _create_fields()}  # a field the form does not ask for keeps its default
    payload = {k: v for k, v in forms.parse(actions.ACTIONS["create_process"].schema,
                                            {name: form.get(name, "") for name in asked}).items() if k in asked}
    payload["template"] = str(form.get("template", ""))
    taken = {p["process"] for p in await run_in_threadpool(status_reads.processes, request.app.state.read_engine)}
    if not payload.get("slug") and payload.get("name"):
        payload["slug"] = workspace.new_key(payload["name"], taken, "proceso")
    chosen = values.get("sectors") or []
    chosen = [chosen] if isinstance(chosen, str) else chosen
    quorum: dict[str, Any] = {"sectors": {s: str(form.get(f"min_{s}", "1")).strip() or "1" for s in chosen}}
    if str(form.get("min_members", "")).strip():
        quorum["min_members"] = str(form["min_members"]).strip()
    payload["quorum"] = quorum
    handle = str(form.get("coordinator_handle", "")).strip() or workspace.new_key(
        str(payload.get("coordinator_name", "")), set(), "coordinacion")

    def apply() -> tuple[dict, list]:
        result = actions.apply(request.app.state.engine, "create_process", payload, actor=handle,
                               clock=request.app.state.clock)
        issued: list = []
        if payload.get("coordinator_email"):
            with credentials.collecting() as issued:
                actions.apply(request.app.state.engine, "set_credentials", {"handle": handle, "reset_access": True},
                              actor=handle, process=result["process"], clock=request.app.state.clock)
        return result, issued

    try:
        if not chosen:
            raise InvalidInput([web_reason("quorum_needs_a_sector")])
        result, issued = await run_in_threadpool(apply)
    except CocreaError as exc:
        return await _admin_page(request, admin, error_status(exc), values,
                                 [form_reason(lang, "create_process", r) for r in exc.reasons])
    handover = await auth.hand_over(request, issued, invite=True) if issued else None
    created = {"slug": result["process"], "name": payload["name"], "handle": handle,
               "email": payload.get("coordinator_email"), "handover": handover,
               "link": f"/w/{quote(result['process'])}"}
    return await _admin_page(request, admin, 200, {}, [], created)


def template_help(lang: str) -> dict[str, str]:
    from .i18n import TEMPLATE_HELP

    return {k: v.render(lang) for k, v in TEMPLATE_HELP.items()}

