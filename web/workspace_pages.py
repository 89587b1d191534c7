"""The coordinators' workspace: sign-in, the dashboard, and one form per action.

Every write is ``actions.apply(engine, name, payload, actor=<signed-in handle>, process=slug)``.
A refusal re-renders the form with what the user typed and every reason, in their
language; nothing here decides who may do what (the action's roles and the engine do).

Why one module: it is the router of the workspace, each route a few lines that read, call an
action and render; the words are ``web/i18n.py``'s, the forms ``web/forms.py``'s, who is asking
``web/auth.py``'s.
"""
from __future__ import annotations

import base64
import io
from dataclasses import replace
from functools import partial
from typing import Any, Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from i18n import gettext, ngettext
from reads import accounts, imports, public, workspace
from reads import status as status_reads
from stages import vocabulary
from stages.errors import CocreaError, ConfigError, NotAllowed, NotFound, reason
from workflow import actions, credentials, evidence, signin
from workflow.actions import decisions

from . import auth, forms
from .api import MAX_DEPTH, InputRefused, check_text, check_value, form_of
from .context import error_status, lang_of, safe_next
from .i18n import form_reason, said, web_reason
from .render import render

router = APIRouter(include_in_schema=False)
#: Fields of ``set_credentials`` its form does not offer: one's password and token are changed on
#: the account page (the password only with the current one); a code is typed on ``/acceso``.
HIDDEN_FIELDS = {"set_credentials": {"password", "new_token", "reset_code"}}
#: The largest rule set file read from a form.
MAX_RULESET_BYTES = 256 * 1024
#: Actions done on a page of their own (under ``/w/<slug>/``) rather than the generic form.
TASK_PAGES = {"import_progress": "progress-sheet"}


async def _page(request: Request, template: str, code: int = 200, **ctx: Any) -> HTMLResponse:
    lang = ctx.pop("lang", None) or lang_of(request)
    ctx.setdefault("identity", None)
    ctx.setdefault("request_path", request.url.path)
    if "csrf" not in ctx:
        ctx["csrf"] = await auth.csrf_token(request)
    if "flash" not in ctx:
        ctx["flash"] = await auth.take_flash(request)
    response = HTMLResponse(render(template, lang=lang, **ctx), status_code=code,
                            headers={"Cache-Control": "no-store"})
    auth.keep_csrf(request, response)
    return response


async def _form(request: Request) -> dict[str, Any]:
    """The submitted form (:func:`web.api.form_of`): a list where a name is repeated."""
    return await form_of(request)


async def _signed_in(request: Request, slug: str):
    """(identity, redirect-or-error response)."""
    identity = await auth.identity(request)
    if identity is None:
        target = "/login?" + urlencode({"next": request.url.path, "process": slug})
        return None, RedirectResponse(target, status_code=303)
    if identity.process != slug:
        lang = lang_of(request)
        return None, await _page(request, "error.html", 403, identity=identity, status=403,
                                 reasons=[web_reason("wrong_process", process=identity.process).as_dict(lang)])
    return identity, None


def _too_many(wait: float):
    minutes = max(1, -(-int(wait) // 60))
    return web_reason("too_many_attempts", minutes=minutes), {"Retry-After": str(int(wait) + 1)}


# --- sign-in ---------------------------------------------------------------------------


@router.get("/login")
async def login_form(request: Request, next: str = "", process: str = "") -> Response:
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang_of(request))
    # Public pages are cached for everyone and always offer "sign in": whoever is already
    # signed in lands here, is told so and is offered the way to the workspace.
    identity = await auth.identity(request)
    return await _page(request, "login.html", processes=items, reasons=[], identity=identity,
                       values={"process": process, "handle": "", "next": next})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    lang = lang_of(request)
    slug, handle = str(form.get("process", "")), str(form.get("handle", "")).strip()
    values = {"process": slug, "handle": handle, "next": str(form.get("next", ""))}
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang)

    async def again(code: str, status: int, headers: dict | None = None, **details) -> HTMLResponse:
        response = await _page(request, "login.html", status, processes=items, values=values,
                               reasons=[web_reason(code, **details).as_dict(lang)])
        response.headers.update(headers or {})
        return response

    if not await auth.csrf_ok(request, form.get("csrf")):
        return await again("csrf_failed", 403)
    attempt = await auth.check_password(request, slug, handle, str(form.get("password", "")))
    if attempt.wait > 0:
        problem, headers = _too_many(attempt.wait)
        return await again(problem.code, 429, headers, **problem.details)
    if attempt.identity is None:
        return await again("login_failed", 401)
    target = safe_next(values["next"]) if values["next"] else f"/w/{quote(slug)}"
    response = RedirectResponse(target, status_code=303)
    await auth.sign_in(request, response, attempt.identity)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _form(request)
    response = RedirectResponse("/", status_code=303)
    if await auth.csrf_ok(request, form.get("csrf")):
        await auth.sign_out(request, response)
    return response


# --- a one-time code: choosing a new password after a reset ---------------------------------


@router.get("/acceso")
async def access_form(request: Request, process: str = "", handle: str = "") -> Response:
    check_text(process), check_text(handle)
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang_of(request))
    return await _page(request, "access.html", processes=items, reasons=[],
                       values={"process": process, "handle": handle})


@router.post("/acceso")
async def access(request: Request) -> Response:
    """The person types the code they received and their new password: the code is counted
    like a password (the same limits) and checked by the action, which uses it up."""
    form = await _form(request)
    lang = lang_of(request)
    slug, handle = str(form.get("process", "")), str(form.get("handle", "")).strip()
    values = {"process": slug, "handle": handle}
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang)

    async def again(reasons: list, status: int, headers: dict | None = None) -> HTMLResponse:
        response = await _page(request, "access.html", status, processes=items, values=values,
                               reasons=[r if isinstance(r, dict) else r.as_dict(lang) for r in reasons])
        response.headers.update(headers or {})
        return response

    if not await auth.csrf_ok(request, form.get("csrf")):
        return await again([web_reason("csrf_failed")], 403)
    password = str(form.get("password", ""))
    if password != str(form.get("repeat", "")):
        return await again([web_reason("passwords_differ")], 400)
    s, at = auth.settings(request), auth.now(request)
    keys = {signin.account_key(slug, handle): s.account,
            "address:" + auth.client_address(request)[:150]: s.address}
    wait = await run_in_threadpool(signin.reserve, request.app.state.engine, keys, at)
    if wait > 0:
        problem, headers = _too_many(wait)
        return await again([problem], 429, headers)
    payload = {"handle": handle, "reset_code": str(form.get("code", "")), "password": password}
    try:
        await run_in_threadpool(actions.apply, request.app.state.engine, "set_credentials", payload, actor=handle,
                                process=slug, clock=request.app.state.clock)
    except CocreaError as exc:
        if isinstance(exc, NotAllowed) and any(r.code == "actor_unknown" for r in exc.reasons):
            exc = NotAllowed([reason("reset_code_invalid", handle=handle)])  # who exists is not told
        status = 400 if isinstance(exc, NotAllowed) else error_status(exc)
        return await again([form_reason(lang, "set_credentials", r) for r in exc.reasons], status)
    await auth.release_account(request, slug, handle)
    who = await run_in_threadpool(accounts.authenticate, request.app.state.read_engine, slug, handle, password)
    response = RedirectResponse(f"/w/{quote(slug)}", status_code=303)
    if who is not None:
        await auth.sign_in(request, response, who)
    return response


# --- the account ----------------------------------------------------------------------------


async def _account_page(request: Request, slug: str, identity, status: int = 200, reasons: list | None = None,
                        handover: auth.Handover | None = None) -> HTMLResponse:
    view = await run_in_threadpool(accounts.account_view, request.app.state.read_engine, identity.person_id)
    expires = auth.token_expires(request, view.token_made_at)
    lang, s = lang_of(request), auth.settings(request)
    return await _page(request, "account.html", status, identity=identity, slug=slug, account=view,
                       idle=_duration(lang, s.idle), lifetime=_duration(lang, s.lifetime),
                       token_made=view.token_made_at.isoformat() if view.token_made_at else None,
                       token_expires=expires.isoformat() if expires else None,
                       handover=handover, reasons=reasons or [])


def _duration(lang: str, span) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60:
        return ngettext(lang, "{count} minute", "{count} minutes", minutes).format(count=minutes)
    return ngettext(lang, "{count} hour", "{count} hours", minutes // 60).format(count=minutes // 60)


@router.get("/w/{slug}/account")
async def account(request: Request, slug: str) -> Response:
    identity, response = await _signed_in(request, slug)
    if response:
        return response
    return await _account_page(request, slug, identity)


async def _account_post(request: Request, slug: str):
    """(identity, form, error response) for a post of the account page."""
    identity, response = await _signed_in(request, slug)
    if response:
        return None, None, response
    form = await _form(request)
    if not await auth.csrf_ok(request, form.get("csrf")):
        return None, None, await _account_page(request, slug, identity, 403,
                                               [web_reason("csrf_failed").as_dict(lang_of(request))])
    return identity, form, None


async def _own_credentials(request: Request, slug: str, identity, payload: dict):
    """Apply ``set_credentials`` for oneself, collecting what it makes; (issued, error page)."""
    def apply() -> list:
        with credentials.collecting() as issued:
            actions.apply(request.app.state.engine, "set_credentials", {"handle": identity.handle, **payload},
                          actor=identity.handle, process=slug, clock=request.app.state.clock)
        return issued

    try:
        return await run_in_threadpool(apply), None
    except CocreaError as exc:
        lang = lang_of(request)
        return None, await _account_page(request, slug, identity, error_status(exc),
                                         [form_reason(lang, "set_credentials", r) for r in exc.reasons])


@router.post("/w/{slug}/account/token")
async def new_token(request: Request, slug: str) -> Response:
    """Make a new API token for the signed-in person and show it once."""
    identity, form, response = await _account_post(request, slug)
    if response:
        return response
    issued, response = await _own_credentials(request, slug, identity, {"new_token": True})
    if response:
        return response
    return await _account_page(request, slug, identity, handover=await auth.hand_over(request, issued))


@router.post("/w/{slug}/account/token/revoke")
async def revoke_token(request: Request, slug: str) -> Response:
    identity, form, response = await _account_post(request, slug)
    if response:
        return response
    _, response = await _own_credentials(request, slug, identity, {"revoke_token": True})
    return response or RedirectResponse(f"/w/{quote(slug)}/account", status_code=303)


@router.post("/w/{slug}/account/password")
async def change_password(request: Request, slug: str) -> Response:
    """A new password, given the current one (checked under the sign-in limits): every other
    session of the person ends; this one goes on in a new session."""
    identity, form, response = await _account_post(request, slug)
    if response:
        return response
    lang = lang_of(request)
    password = str(form.get("password", ""))
    if password != str(form.get("repeat", "")):
        return await _account_page(request, slug, identity, 400, [web_reason("passwords_differ").as_dict(lang)])
    attempt = await auth.check_password(request, slug, identity.handle, str(form.get("current", "")))
    if attempt.wait > 0:
        problem, headers = _too_many(attempt.wait)
        page = await _account_page(request, slug, identity, 429, [problem.as_dict(lang)])
        page.headers.update(headers)
        return page
    if attempt.identity is None:
        return await _account_page(request, slug, identity, 401, [web_reason("login_failed").as_dict(lang)])
    _, response = await _own_credentials(request, slug, identity, {"password": password})
    if response:
        return response
    response = RedirectResponse(f"/w/{quote(slug)}/account", status_code=303)
    await auth.sign_in(request, response, identity)  # the action ended every session, this one too
    return response


@router.post("/w/{slug}/account/sessions")
async def end_other_sessions(request: Request, slug: str) -> Response:
    identity, form, response = await _account_post(request, slug)
    if response:
        return response
    current = await auth.current(request)
    await run_in_threadpool(signin.end_sessions_of, request.app.state.engine, identity.person_id, current.digest)
    return RedirectResponse(f"/w/{quote(slug)}/account", status_code=303)


# --- one form per action ---------------------------------------------------------------


def _fields(name: str, values: dict | None = None) -> list[forms.FormField]:
    """The form's fields, from the action's schema; a motion whose kind is chosen shows only the
    fields of that kind (``decisions.KINDS``: the one table of what each kind's motion takes); a
    key made from a name when none is given (:data:`reads.workspace.KEYED`) is not required here."""
    hidden = set(HIDDEN_FIELDS.get(name, set()))
    kind = (values or {}).get("kind")
    if name == "propose_decision" and isinstance(kind, str) and kind in decisions.KINDS:
        hidden |= set(decisions.MOTION_FIELDS) - set(decisions.KINDS[kind].fields)
    amended = _amended(name, values)
    if amended:  # the commitment is chosen: its own fields, never a JSON of changes
        hidden.add("commitment")
    fields = [f for f in forms.fields_for(actions.ACTIONS[name].schema) if f.name not in hidden]
    if name == "propose_decision":
        group = forms.FormField("changes", "group", True, description=_CHANGES.description or "", children=[
            replace(f, name="changes." + f.name, required=False) for f in _commitment_fields()])
        fields = [group if f.name == "changes" else f for f in fields if f.name != "changes" or amended]
    if name in workspace.KEYED:
        key = workspace.KEYED[name][0]
        fields = [replace(f, required=False) if f.name == key else f for f in fields]
    return fields


async def _choices(request: Request, slug: str, identity, name: str | None) -> dict:
    return await run_in_threadpool(workspace.choices, request.app.state.read_engine, slug, identity.handle, name,
                                   lang_of(request), request.app.state.clock)


async def _with_key(request: Request, slug: str, name: str, form: dict) -> dict:
    """The form with the key of a new row made from its name when the person gave none."""
    if name not in workspace.KEYED:
        return form
    key, source, _ = workspace.KEYED[name]
    if str(form.get(key, "")).strip() or not str(form.get(source, "")).strip():
        return form
    taken = await run_in_threadpool(workspace.taken_keys, request.app.state.read_engine, slug, name)
    return {**form, key: workspace.new_key(str(form[source]), taken)}


_CHANGES = actions.ACTIONS["propose_decision"].schema.model_fields["changes"]


def _amended(name: str, values: dict | None) -> str:
    """The commitment a motion to amend names, once chosen (its fields are then the form's)."""
    values = values or {}
    if name != "propose_decision" or values.get("kind") != "amend_commitment":
        return ""
    key = values.get("commitment")
    return key.strip() if isinstance(key, str) else ""


def _amendment(current: dict, form: dict, prefix: str = "") -> dict:
    """The changes an amendment proposes: the commitment's fields (``prefix`` + field in
    ``form``) that differ from its current version; a field emptied is a change too."""
    fields = forms.leaves(_commitment_fields())
    edited = forms.parse(actions.ACTIONS["draft_commitment"].schema,
                         {f.name: form.get(prefix + f.name, "") for f in fields})
    for f in fields:
        if f.name not in edited and current.get(f.name) not in (None, "", []):
            edited[f.name] = [] if f.kind in ("lines", "checks") else None
    return {k: v for k, v in edited.items() if v != current.get(k)}


def _kind_links(name: str, values: dict) -> list[dict[str, Any]]:
    """For a motion: one link per kind of decision, keeping what the query already says."""
    if name != "propose_decision":
        return []
    keep = {k: v for k, v in values.items() if k in ("session", "next") and isinstance(v, str) and v}
    return [{"kind": k, "href": "?" + urlencode({**keep, "kind": k}),
             "chosen": values.get("kind") == k} for k in decisions.KINDS]


def _fact_of(request: Request, slug: str, name: str) -> dict | None:
    """The "date of the fact" of an action that records one (``ActionDef.dated``), else ``None``."""
    if not actions.ACTIONS[name].dated:
        return None
    return workspace.fact_time(request.app.state.read_engine, slug, request.app.state.clock)


async def _fact_time(request: Request, slug: str, name: str) -> dict | None:
    return await run_in_threadpool(_fact_of, request, slug, name)


def _fact_at(form: dict, fact: dict | None):
    """The time of the fact the form gives: ``None`` (now) when the field still holds the time it
    was shown with; otherwise parsed as an apply file's ``at``, a local time read in the process's
    time zone, and refused for the same reasons (``workflow.actions.parse_at``; the engine refuses
    a time after now or before the process's last action)."""
    typed, shown = (form.get(k) if isinstance(form.get(k), str) else "" for k in ("at", "at_shown"))
    if fact is None or not typed.strip() or typed.strip() == shown.strip():
        return None
    return actions.parse_at(typed, "at", timezone=fact["timezone"])


def _commitment_links(name: str, values: dict, choices: dict) -> list[dict[str, Any]]:
    """For a motion to amend whose commitment is not chosen yet: one link per commitment."""
    if name != "propose_decision" or values.get("kind") != "amend_commitment" or _amended(name, values):
        return []
    keep = {k: v for k, v in values.items() if k in ("session", "next", "kind") and isinstance(v, str) and v}
    return [{**c, "href": "?" + urlencode({**keep, "commitment": c["value"]})} for c in choices.get("commitment", [])]


async def _action_page(request: Request, slug: str, name: str, identity, values: dict, reasons: list, status: int,
                       choices: dict) -> HTMLResponse:
    fields = _fields(name, values)
    amended = _amended(name, values)
    if amended:  # the commitment's fields, as they are now unless the person changed them
        choices = {**choices, **{"changes." + k: v for k, v in choices.items()}}
        if not any(k.startswith("changes.") for k in values):
            try:
                current = await run_in_threadpool(workspace.commitment_now, request.app.state.read_engine, slug,
                                                  amended)
            except NotFound as exc:
                reasons = reasons + [form_reason(lang_of(request), name, r) for r in exc.reasons]
                current = {}
            values = {**values, **{"changes." + k: v for k, v in _as_form_values(current).items()}}
    if name == "propose_decision" and values.get("kind") == "set_quorum_rule" and not values.get("quorum.sectors"):
        rule = await run_in_threadpool(workspace.quorum_now, request.app.state.read_engine, slug)
        values = {**values, "quorum.sectors": {k: str(n) for k, n in rule["sectors"].items()},
                  "quorum.min_members": str(rule["min_members"])}  # the rule in force, to change
    shown = forms.initial(fields, {k: v for k, v in values.items() if k != "password"})
    fact = await _fact_time(request, slug, name)
    if fact is not None:
        shown["at_shown"] = str(values.get("at_shown") or fact["now"])
        shown["at"] = str(values.get("at") or shown["at_shown"])
    return await _page(request, "action.html", status, identity=identity, slug=slug, name=name, fields=fields,
                       kinds=_kind_links(name, values), fact=fact, amended=amended,
                       commitment_links=_commitment_links(name, values, choices),
                       values=shown, reasons=reasons, choices=choices, action=actions.ACTIONS[name],
                       next=values.get("next", ""), bad_fields=[r["details"].get("field", "").split(".")[0]
                                                                for r in reasons if r["code"] == "invalid_field"])


async def _signed_in_to_act(request: Request, slug: str, name: str):
    """(identity, redirect-or-error response) for the form of action ``name``: an action that does
    not exist, or creates a process (``/admin``), has no page."""
    action = actions.ACTIONS.get(name)
    if action is None or action.creates_process:
        raise NotFound([web_reason("not_found_page", path=request.url.path)])
    return await _signed_in(request, slug)


@router.get("/w/{slug}/do/{name}")
async def action_form(request: Request, slug: str, name: str) -> Response:
    identity, response = await _signed_in_to_act(request, slug, name)
    if name in TASK_PAGES and not response:  # a file's action has its own page: download, upload, dry run, confirm
        return RedirectResponse(f"/w/{quote(slug)}/{TASK_PAGES[name]}", status_code=303)
    if response:
        return response
    lang = lang_of(request)
    reasons = []
    if identity.role not in actions.ACTIONS[name].roles:
        exc = NotAllowed([_not_allowed(identity, name)])
        reasons = [r.as_dict(lang) for r in exc.reasons]
    values = {k: check_text(v) for k, v in request.query_params.items()}
    return await _action_page(request, slug, name, identity, values, reasons, 200,
                              await _choices(request, slug, identity, name))


def _not_allowed(identity, name: str):
    return reason("actor_not_allowed", actor=identity.handle, role=identity.role, action=name,
                  allowed=list(actions.ACTIONS[name].roles))


def _untouched_fields_of_other_kinds(name: str, form: dict) -> dict:
    """A motion's form shows every field until a kind is chosen; the fields of other kinds that
    still hold their form defaults (nothing typed) are not part of the motion. A value typed
    into one of them is sent, and the action refuses it (``not_for_this_kind``)."""
    kind = form.get("kind")
    if name != "propose_decision" or not isinstance(kind, str) or kind not in decisions.KINDS:
        return form
    other = set(decisions.MOTION_FIELDS) - set(decisions.KINDS[kind].fields)
    every = forms.leaves(_fields(name))
    defaults = forms.initial(every, {})
    out = dict(form)
    for f in every:
        if f.name.split(".")[0] not in other:
            continue
        raw = out.get(f.name)
        typed = raw if isinstance(raw, list) else [raw or ""]
        default = defaults.get(f.name)
        default = default if isinstance(default, list) else [default or ""]
        if [str(v).strip() for v in typed if str(v).strip()] == [str(v).strip() for v in default if str(v).strip()]:
            out.pop(f.name, None)
    return out


async def _ruleset_file(request: Request) -> Any:
    """The definition in the uploaded file ``ruleset``, read as YAML (JSON is YAML too)."""
    import yaml

    upload = (await request.form()).get("ruleset")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return None
    data = await upload.read(MAX_RULESET_BYTES + 1)
    try:
        if len(data) > MAX_RULESET_BYTES:
            raise ValueError(f"> {MAX_RULESET_BYTES // 1024} KiB")
        return yaml.safe_load(data.decode("utf-8"))
    except RecursionError:
        raise InputRefused("json_too_deep", limit=MAX_DEPTH) from None
    except (ValueError, yaml.YAMLError) as exc:
        raise InputRefused("ruleset_file_unreadable", name=upload.filename,
                           problem=str(exc).splitlines()[0][:200]) from None


def _payload(name: str, form: dict) -> dict:
    """The action's payload from the form; an enormous number or a structure nested too deeply
    (a rule set's file) is refused here like in the API (:func:`web.api.check_value`)."""
    form = _untouched_fields_of_other_kinds(name, form)
    payload = forms.parse(actions.ACTIONS[name].schema, form)
    for hidden in HIDDEN_FIELDS.get(name, ()):
        payload.pop(hidden, None)
    if name == "configure_compliance" and "settings" in payload:
        try:
            payload["settings"] = workspace.setting_values(payload["settings"])
        except ValueError:  # an integer past Python's digit limit
            raise InputRefused("number_too_large") from None
    if name == "register_ruleset" and isinstance(form.get("ruleset"), (dict, list)):
        payload["ruleset"] = form["ruleset"]
    check_value(payload)
    return payload


def _attendance_button(name: str, form: dict) -> dict:
    """The session screen's attendance is one form (one date of the fact for it): the button
    pressed names the member who arrives or leaves; the action's own fields are made from it."""
    if name != "record_attendance" or not any(isinstance(form.get(k), str) and form[k] for k in ("arrives", "leaves")):
        return form
    arrives = isinstance(form.get("arrives"), str) and bool(form["arrives"])
    return {**{k: v for k, v in form.items() if k not in ("arrives", "leaves")},
            "members": form["arrives"] if arrives else form["leaves"], "present": "on" if arrives else ""}


@router.post("/w/{slug}/do/{name}")
async def action_submit(request: Request, slug: str, name: str) -> Response:
    identity, response = await _signed_in_to_act(request, slug, name)
    if response:
        return response
    lang = lang_of(request)
    engine = request.app.state.engine
    form = _attendance_button(name, await _form(request))
    chosen = {"kind": form.get("kind", ""), "commitment": form.get("commitment", "")}
    values = {f.name: "" if forms.typed(f, form) is None else forms.typed(f, form)
              for f in forms.leaves(_fields(name, chosen))}
    if _amended(name, chosen):
        values["commitment"] = _amended(name, chosen)
    values["next"] = str(form.get("next", ""))
    values.update({k: form[k] for k in ("at", "at_shown") if isinstance(form.get(k), str) and form[k]})

    async def refused(reasons: list, status: int) -> HTMLResponse:
        return await _action_page(request, slug, name, identity, values, reasons, status,
                                  await _choices(request, slug, identity, name))

    if not await auth.csrf_ok(request, form.get("csrf")):
        return await refused([web_reason("csrf_failed").as_dict(lang)], 403)
    if name == "report_progress":  # evidence given as a file: kept by its SHA-256, cited by its address
        upload = (await request.form()).get("evidence_file")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            data = await upload.read(evidence.MAX_BYTES + 1)
            try:
                stored = await run_in_threadpool(evidence.store, engine, slug, upload.filename, data, identity.handle,
                                                 request.app.state.clock.now())
            except evidence.EvidenceRefused as exc:
                return await refused([web_reason(exc.code, **exc.details).as_dict(lang)], 400)
            form = {**form, "evidence_ref": evidence.address(request.app.state.public_url, slug, stored)}
    if name == "register_ruleset":  # the rule set's definition: a file in YAML or JSON
        form = {**form, "ruleset": ""}
        try:
            form["ruleset"] = await _ruleset_file(request)
        except InputRefused as exc:
            return await refused([r.as_dict(lang) for r in exc.reasons], 400)
    try:
        payload = _payload(name, await _with_key(request, slug, name, form))
        if _amended(name, values):  # the changes: the commitment's fields that differ from now
            current = await run_in_threadpool(workspace.commitment_now, request.app.state.read_engine, slug,
                                              _amended(name, values))
            payload["changes"] = _amendment(current, form, "changes.")
            check_value(payload)
    except InputRefused as exc:
        return await refused([r.as_dict(lang) for r in exc.reasons], 400)
    except NotFound as exc:
        return await refused([form_reason(lang, name, r) for r in exc.reasons], 404)
    try:
        at = _fact_at(form, await _fact_time(request, slug, name))
    except CocreaError as exc:
        return await refused([form_reason(lang, name, r) for r in exc.reasons], error_status(exc))

    invite = name == "add_person" and bool(form.get("invite")) and bool(payload.get("email"))

    def apply():
        with credentials.collecting() as issued:
            result = actions.apply(engine, name, payload, actor=identity.handle, process=slug,
                                   clock=request.app.state.clock, at=at)
            if invite:  # a one-time link to choose their own password, by email
                actions.apply(engine, "set_credentials", {"handle": result["person"], "reset_access": True},
                              actor=identity.handle, process=slug, clock=request.app.state.clock)
        return result, issued

    try:
        result, issued = await run_in_threadpool(apply)
    except CocreaError as exc:
        reasons = [form_reason(lang, name, r) for r in exc.reasons]
        if form.get("back") and values["next"]:  # a task screen: its refusal is said on it
            await auth.flash(request, {"text": gettext(lang, "Could not be recorded: {action}").format(
                action=vocabulary.label("action", name, lang)), "refused": True, "reasons": reasons})
            return RedirectResponse(safe_next(values["next"]), status_code=303)
        return await refused(reasons, error_status(exc))
    names = await run_in_threadpool(workspace.key_names, request.app.state.read_engine, slug)
    notice = said(lang, name, result, names).as_dict()
    if issued:  # a code to hand over, or one sent by email: said on this page, once
        handover = await auth.hand_over(request, issued, invite=invite)
        return await _page(request, "handover.html", identity=await auth.identity(request), slug=slug,
                           handover=handover, notice=notice)
    await auth.flash(request, notice)
    target = safe_next(values["next"]) if values["next"] else f"/w/{quote(slug)}"
    return RedirectResponse(target, status_code=303)


# --- task screens ----------------------------------------------------------------------------


#: The fields of a commitment a plan page edits (the draft's schema: the same checks as the CLI).
def _commitment_fields() -> list[forms.FormField]:
    from stages.commitments import FIELDS

    return [f for f in forms.fields_for(actions.ACTIONS["draft_commitment"].schema) if f.name in FIELDS]


def _as_form_values(current: dict) -> dict:
    """A commitment's fields as a form shows them (lists as lists, dates as ISO text, none as empty)."""
    return {k: (v if isinstance(v, list) else "" if v is None else str(v)) for k, v in current.items()}


# --- the pages that read and show ----------------------------------------------------------


def _reads(path: str, template: str) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Make ``read`` the page at ``path``: whoever is signed in to the process sees ``template``
    with the context ``read(request, slug, identity, lang)`` gives (run in a worker thread). Every
    page that only reads is this one handler; each ``read`` says what its page shows."""
    def register(read: Callable[..., dict]) -> Callable[..., dict]:
        async def show(request: Request, slug: str) -> Response:
            identity, response = await _signed_in(request, slug)
            if response:
                return response
            ctx = await run_in_threadpool(read, request, slug, identity, lang_of(request))
            return await _page(request, template, identity=identity, slug=slug, **ctx)

        show.__doc__ = read.__doc__
        router.add_api_route(path, show, methods=["GET"], name=read.__name__.strip("_"))
        return read
    return register


@_reads("/w/{slug}", "dashboard.html")
def _dashboard(request: Request, slug: str, identity, lang: str) -> dict:
    """The dashboard: what the person may do now, and what stands in the way."""
    return {"w": workspace.workspace_view(request.app.state.read_engine, slug, identity.handle, lang),
            "today": request.app.state.clock.now().date().isoformat(), "task_pages": TASK_PAGES}


@_reads("/w/{slug}/sessions/{key}", "session.html")
def _session_screen(request: Request, slug: str, identity, lang: str) -> dict:
    """The screen of one secretariat session, used live during the meeting: attendance by name
    and sector, the quorum, each motion with every member's vote and what deciding it now gives,
    then the decisions taken. Every button posts to an action and comes back here."""
    key = check_text(request.path_params["key"])
    view = workspace.session_view(request.app.state.read_engine, slug, key, identity.handle, lang,
                                  request.app.state.clock)
    for d in view["decisions"]:
        if d["status"] == "open":
            d["preview_text"] = said(lang, "decide", {"decision": d["key"], "kind": d["kind"], **d["preview"]},
                                     view["names"]).as_dict()
        else:
            d["outcome_text"] = said(lang, "decide", {"decision": d["key"], "kind": d["kind"], "status": d["status"],
                                                      "tally": d["tally"]}, view["names"]).as_dict()
    # every form of the screen records a dated fact (attendance, a motion, a vote, a decision, the close)
    return {"v": view, "here": f"/w/{quote(slug)}/sessions/{quote(key)}",
            "fact": _fact_of(request, slug, "record_attendance")}


def _allowed(request: Request, slug: str, identity, lang: str) -> list[str]:
    return workspace.workspace_view(request.app.state.read_engine, slug, identity.handle, lang)["actions"]


@_reads("/w/{slug}/inbox", "inbox.html")
def _inbox(request: Request, slug: str, identity, lang: str) -> dict:
    """The inputs without a reasoned response, answered one after another: the oldest is shown
    with its answer form (with its date of the fact: a response agreed in a meeting is often
    recorded later; and, for a coordinator, the form that hides it); answering it brings the next.
    The hidden inputs are listed apart, each with the form that shows it again."""
    view = workspace.inbox_view(request.app.state.read_engine, slug, identity.handle, lang, request.app.state.clock)
    fields, hide, unhide = _fields("answer_input"), _fields("hide_input"), _fields("unhide_input")
    first = view["pending"][0] if view["pending"] else None
    allowed = _allowed(request, slug, identity, lang)
    fact = _fact_of(request, slug, "answer_input")  # a response recorded after the meeting that agreed it
    values = forms.initial(fields, {"input": first["key"], "theme": first["theme"] or ""} if first else {})
    if fact is not None:
        values["at"] = values["at_shown"] = fact["now"]
    return {"v": view, "here": f"/w/{quote(slug)}/inbox", "fields": [f for f in fields if f.name != "input"],
            "values": values, "fact": fact,
            "allowed": "answer_input" in allowed, "may_hide": "hide_input" in allowed,
            "hide_fields": [f for f in hide if f.name != "input"], "hide_values": forms.initial(hide, {}),
            "may_unhide": "unhide_input" in allowed, "unhide_fields": [f for f in unhide if f.name != "input"],
            "unhide_values": forms.initial(unhide, {})}


@_reads("/w/{slug}/plan", "plan.html")
def _plan(request: Request, slug: str, identity, lang: str) -> dict:
    """The plan as a form of its commitments: approve the drafts in a session, redraft a draft,
    or propose an amendment to an agreed one (only what changed), each difference shown."""
    view = workspace.plan_view(request.app.state.read_engine, slug, identity.handle, lang, request.app.state.clock)
    fields = _commitment_fields()
    for c in view["commitments"]:
        c["form_values"] = forms.initial(fields, _as_form_values(c["fields"]))
    return {"v": view, "fields": fields, "here": f"/w/{quote(slug)}/plan",
            "allowed": _allowed(request, slug, identity, lang),
            "fact": _fact_of(request, slug, "propose_decision")}  # a motion, a redraft: dated facts


@_reads("/w/{slug}/history", "history.html")
def _history(request: Request, slug: str, identity, lang: str) -> dict:
    """Every recorded action of the process, newest first, said in words (who, when, what it did)."""
    entries = status_reads.history(request.app.state.read_engine, slug)
    names = workspace.key_names(request.app.state.read_engine, slug)
    shown = []
    for e in reversed(entries):
        notice = said(lang, e["action"], e["result"] or {}, names)
        shown.append({"seq": e["seq"], "at": e["at"], "recorded_at": e["recorded_at"], "action": e["action"],
                      "actor": names["person"].get(e["actor"], e["actor"]), "text": notice.text, "refused": notice.refused,
                      "reason": e["reason"]})
    return {"entries": shown}


@_reads("/w/{slug}/audit", "audit.html")
def _audit(request: Request, slug: str, identity, lang: str) -> dict:
    """The state of the process's audit chain: verified or every problem found."""
    return {"a": workspace.audit_state(request.app.state.read_engine, slug, lang)}


@_reads("/w/{slug}/reminders", "reminders.html")
def _reminders(request: Request, slug: str, identity, lang: str) -> dict:
    """The process's reminders (planned, due, sent, failed, and why); a coordinator sends what is
    due; a liaison or a member sees its own."""
    return {"v": workspace.reminders_view(request.app.state.read_engine, slug, lang, request.app.state.clock,
                                          None if identity.role == "coordinator" else identity.handle)}


# --- what the task screens post (besides the actions' own forms) ------------------------------


async def _task_post(request: Request, slug: str, here: str):
    """(identity, form, response) of a post from a task screen: not signed in, or a form that did
    not come from this site, answers with ``response`` (the refusal said on the screen)."""
    identity, response = await _signed_in(request, slug)
    if response:
        return None, None, response
    form = await _form(request)
    if not await auth.csrf_ok(request, form.get("csrf")):
        await auth.flash(request, {"text": web_reason("csrf_failed").message(lang_of(request)), "refused": True})
        return None, None, RedirectResponse(here, status_code=303)
    return identity, form, None


@router.post("/w/{slug}/plan/{key}/amend")
async def amend(request: Request, slug: str, key: str) -> Response:
    """Propose an amendment from the commitment's own form: the changes are the fields that
    differ from its current version (``propose_decision`` with ``amend_commitment``)."""
    check_text(key)
    lang = lang_of(request)
    here = f"/w/{quote(slug)}/plan"
    identity, form, response = await _task_post(request, slug, here)
    if response:
        return response
    current = await run_in_threadpool(workspace.commitment_now, request.app.state.read_engine, slug, key)
    changes = _amendment(current, form)
    if not changes:
        await auth.flash(request, {"text": gettext(lang, "Nothing was changed: the amendment was not proposed."),
                                   "refused": True})
        return RedirectResponse(here, status_code=303)
    payload = {"session": str(form.get("session", "")), "kind": "amend_commitment", "commitment": key,
               "changes": changes}
    if str(form.get("reason", "")).strip():
        payload["reason"] = str(form["reason"]).strip()
    try:
        check_value(payload)
        at = _fact_at(form, await _fact_time(request, slug, "propose_decision"))
        result = await run_in_threadpool(partial(actions.apply, at=at), request.app.state.engine, "propose_decision",
                                         payload, actor=identity.handle, process=slug, clock=request.app.state.clock)
    except (CocreaError, InputRefused) as exc:
        await auth.flash(request, {"text": gettext(lang, "Could not be recorded: {action}").format(
            action=vocabulary.label("action", "propose_decision", lang)), "refused": True,
            "reasons": [form_reason(lang, "propose_decision", r) for r in exc.reasons]})
        return RedirectResponse(here, status_code=303)
    await auth.flash(request, said(lang, "propose_decision", result).as_dict())
    return RedirectResponse(here, status_code=303)


@router.post("/w/{slug}/reminders/send")
async def send_reminders(request: Request, slug: str) -> Response:
    """What ``cocrea reminders send <slug>`` does: plan and queue what is due, deliver what is ready."""
    lang = lang_of(request)
    here = f"/w/{quote(slug)}/reminders"
    identity, form, response = await _task_post(request, slug, here)
    if response:
        return response
    if identity.role != "coordinator":
        problem = _not_allowed(identity, "configure_reminders")
        await auth.flash(request, {"text": problem.message(lang), "refused": True})
        return RedirectResponse(here, status_code=303)
    from notifications import config
    from notifications.worker import send_now
    from reads import reminders as reminder_reads
    from workflow.retention import purge_due

    def run() -> dict:
        mail = request.app.state.mail
        if mail is None:
            mail = request.app.state.mail = config.load()
        return send_now(request.app.state.engine, mail, clock=request.app.state.clock, process=slug,
                        process_id=reminder_reads.process_id(request.app.state.read_engine, slug), purge=purge_due)

    try:
        result = await run_in_threadpool(run)
    except ConfigError as exc:  # the mail settings cannot be used: said, nothing else changes
        await auth.flash(request, {"text": gettext(lang, "The reminders could not be sent: {problem}").format(
            problem=str(exc)), "refused": True})
        return RedirectResponse(here, status_code=303)
    text = gettext(lang, "Reminders sent now: {sent} sent, {failed} failed, {retried} to retry "
                         "({queued} newly queued).")
    await auth.flash(request, {"text": text.format(sent=result.get("sent", 0), failed=result.get("failed", 0),
                                                   retried=result.get("retried", 0), queued=result.get("queued", 0)),
                               "refused": bool(result.get("failed"))})
    return RedirectResponse(here, status_code=303)


@router.get("/evidencia/{slug}/{sha256}/{name}")
async def evidence_file(request: Request, slug: str, sha256: str, name: str) -> Response:
    """A file given as evidence, served publicly once a progress report cites it; its SHA-256
    is in its address (anyone can check the bytes against it)."""
    check_text(slug), check_text(name)
    found = await run_in_threadpool(evidence.published, request.app.state.read_engine, slug, sha256)
    if found is None:
        raise NotFound([web_reason("not_found_page", path=request.url.path)])
    filename, content_type, data = found
    return Response(data, media_type=content_type, headers={
        "Content-Disposition": evidence_disposition(filename, content_type),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=31536000, immutable"})


def evidence_disposition(filename: str, content_type: str) -> str:
    """Shown in the browser only when of a safe type (``workflow.evidence.INLINE``: PDF, PNG,
    JPEG); anything else is downloaded as a file. The name as given (RFC 6266 and 5987), with a
    plain ASCII fallback for old clients."""
    kind = "inline" if content_type.split(";")[0].strip() in evidence.INLINE else "attachment"
    plain = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- an agency's progress sheet ------------------------------------------------------------------


async def _sheet_page(request: Request, slug: str, identity, agencies: list, status: int = 200, **ctx: Any):
    ctx = {"dry": None, "problems": [], "sheet": "", "name": "", "reasons": [], **ctx}
    return await _page(request, "progress_sheet.html", status, identity=identity, slug=slug, agencies=agencies,
                       limit_kb=imports.SHEET_MAX_BYTES // 1024, **ctx)


@router.get("/w/{slug}/progress-sheet")
async def progress_sheet(request: Request, slug: str) -> Response:
    """An agency's progress in bulk: download its activities as a sheet, fill it, upload it, see
    what would change and every problem by row (a dry run), then confirm."""
    identity, response = await _signed_in(request, slug)
    if response:
        return response
    agencies = await run_in_threadpool(imports.sheet_agencies, request.app.state.read_engine, slug, identity.handle)
    reasons = [] if agencies else [_not_allowed(identity, "import_progress").as_dict(lang_of(request))]
    return await _sheet_page(request, slug, identity, agencies, 200 if agencies else 403, reasons=reasons)


@router.get("/w/{slug}/progress-sheet/{agency}.{fmt}")
async def progress_sheet_file(request: Request, slug: str, agency: str, fmt: str) -> Response:
    identity, response = await _signed_in(request, slug)
    if response:
        return response
    agencies = await run_in_threadpool(imports.sheet_agencies, request.app.state.read_engine, slug, identity.handle)
    if fmt not in imports.FORMATS or agency not in {a["key"] for a in agencies}:
        raise NotFound([web_reason("not_found_page", path=request.url.path)])
    out = io.BytesIO()
    await run_in_threadpool(imports.export_activities, request.app.state.read_engine, slug, agency, out, fmt)
    kind = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(out.getvalue(), media_type=kind, headers={
        "Content-Disposition": f'attachment; filename="{quote(slug)}-{quote(agency)}.{fmt}"',
        "Cache-Control": "no-store"})


@router.post("/w/{slug}/progress-sheet")
async def progress_sheet_upload(request: Request, slug: str) -> Response:
    """Without ``confirm``: the uploaded sheet's dry run. With it: the sheet the dry run showed
    (sent back in the form), recorded by the action, which checks it all again."""
    identity, response = await _signed_in(request, slug)
    if response:
        return response
    lang, engine = lang_of(request), request.app.state.engine
    agencies = await run_in_threadpool(imports.sheet_agencies, request.app.state.read_engine, slug, identity.handle)
    form = await request.form()

    async def shown(status: int, reasons: list, **ctx: Any) -> HTMLResponse:
        return await _sheet_page(request, slug, identity, agencies, status, reasons=reasons, **ctx)

    if not await auth.csrf_ok(request, form.get("csrf")):
        return await shown(403, [web_reason("csrf_failed").as_dict(lang)])
    confirm = form.get("confirm") == "1"
    if confirm:
        try:
            data = base64.b64decode(str(form.get("sheet", "")), validate=True)
        except ValueError:
            data = b""
        name = check_text(str(form.get("name", "")))[:200]
    else:
        upload = form.get("file")
        if upload is None or isinstance(upload, str) or not upload.filename:
            return await shown(400, [web_reason("sheet_missing").as_dict(lang)])
        data, name = await upload.read(imports.SHEET_MAX_BYTES + 1), check_text(upload.filename)[:200]
    if len(data) > imports.SHEET_MAX_BYTES:
        return await shown(400, [web_reason("sheet_too_large", limit=imports.SHEET_MAX_BYTES // 1024).as_dict(lang)])

    def apply() -> dict:
        return actions.apply(engine, "import_progress", {"file": io.BytesIO(data), "name": name or None},
                             actor=identity.handle, process=slug, clock=request.app.state.clock, dry_run=not confirm)

    try:
        result = await run_in_threadpool(apply)
    except CocreaError as exc:
        return await shown(error_status(exc), [form_reason(lang, "import_progress", r) for r in exc.reasons])
    if confirm:
        await auth.flash(request, said(lang, "import_progress", result).as_dict())
        return RedirectResponse(f"/w/{quote(slug)}", status_code=303)
    problems = [form_reason(lang, "import_progress", r) for r in result["problems"]]
    return await shown(200, [], dry=result, problems=problems, name=name,
                       sheet=base64.b64encode(data).decode() if not problems and result["changes"] else "")
