"""The JSON API: the same reads and actions as the CLI, over HTTP with a Bearer token.

- ``GET /api/processes``, ``GET /api/processes/{slug}`` (the public view),
  ``GET /api/processes/{slug}/status``: public, no token.
- ``GET /api/processes/{slug}/history``, ``.../workspace``, ``.../audit``: token of a person
  of that process.
- ``POST /api/processes/{slug}/actions/{name}``: one route per action, its request body the
  action's own schema; the token's person is the actor. An ``Idempotency-Key`` header makes a
  retry safe: the same key with the same request is applied once, and the retry answers the
  first result with ``"replayed": true``; the same key with another request is refused
  (``idempotency_key_reused``, 400). Keys are the person's own (stored hashed with the process
  and the handle): another person's key never collides with theirs.
  An action that records a fact (``ActionDef.dated``) takes ``at`` in its body: when the fact
  happened, ISO 8601 with its offset, parsed and refused exactly as an apply file's
  (``workflow.actions.parse_at``; the engine refuses a time after now or before the process's
  last action); without it, the action is dated now.

Errors are ``{"error", "reasons": [{"code", "message", "details"}]}``: 400 invalid input,
401 no or bad token, 403 not allowed, 404 no such process, 409 refused by the process
rules. The body is validated by the action itself (``engine.validate``), so the API refuses
exactly what the CLI and the forms refuse, with the same reasons.

Why one module: one route per action plus the public reads, with the limits on
input (depth, size, numbers) they all share; the routes are generated from the registry.
"""
from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from reads import lists, public, workspace
from reads import status as queries
from stages.errors import AuditBroken, CocreaError, InvalidInput, NotAllowed
from workflow import actions, credentials
from workflow.engine import AlreadyApplied

from . import auth
from .context import error_status, lang_of
from .i18n import said, web_reason

router = APIRouter(prefix="/api", tags=["api"])

ERROR = {"description": "Refused: every reason, with a stable code",
         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
READ_ERRORS = {404: ERROR, 400: ERROR}
AUTH_ERRORS = {401: ERROR, 403: ERROR, 404: ERROR, 400: ERROR}
ACTION_ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}


# --- input that must never reach the database ---------------------------------------------------
# PostgreSQL cannot store a NUL byte (psycopg raises) and no text needs one; an unpaired surrogate
# cannot be encoded at all; JSON nested thousands deep exhausts the parser's recursion; an integer
# of thousands of digits exceeds Python's conversion limit and no column can hold it.

MAX_BODY = 1024 * 1024  # a JSON body; the largest legitimate one (a rule set) is a few kilobytes
MAX_DIGITS = 15  # |n| < 10**15: every number of the domain (days, percents, counts, years) fits
MAX_DEPTH = 32  # the schemas of the actions nest four levels at most


class InputRefused(InvalidInput):
    """Input refused before it reaches an action (status 400; ``body_too_large``: 413)."""

    def __init__(self, code: str, **details: Any):
        super().__init__([web_reason(code, **details)])
        self.code = code


def check_text(value: str) -> str:
    """``value`` unchanged, or refused when it holds a NUL byte or an unpaired surrogate."""
    if "\x00" in value:
        raise InputRefused("bad_character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputRefused("bad_character") from None
    return value


async def form_of(request: Request, lists: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The submitted form, every value a string; a repeated name gives a list (with ``lists``:
    those names always a list, any other its first value). A NUL byte or an unpaired surrogate in
    a name or a value is refused (:class:`InputRefused`). The one reader of the browser's forms."""
    data = await request.form()
    out: dict[str, Any] = {}
    for key in data.keys():
        check_text(key)
        values = [check_text(v) for v in data.getlist(key) if isinstance(v, str)]
        if lists is None:
            out[key] = values if len(values) > 1 else (values[0] if values else "")
        else:
            out[key] = values if key in lists else (values[0] if values else "")
    return out


def check_value(value: Any) -> Any:
    """Walk parsed input (no recursion): nesting at most :data:`MAX_DEPTH` deep, text
    without NUL or unpaired surrogates, whole numbers of at most :data:`MAX_DIGITS` digits,
    finite decimals."""
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise InputRefused("json_too_deep", limit=MAX_DEPTH)
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) >= 10 ** MAX_DIGITS:
                raise InputRefused("number_too_large")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InputRefused("number_too_large")
        elif isinstance(item, dict):
            for k, v in item.items():
                check_text(str(k))
                todo.append((v, depth + 1))
        elif isinstance(item, (list, tuple)):
            todo.extend((v, depth + 1) for v in item)
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise InputRefused("number_too_large")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputRefused("number_too_large")
    return value


def _constant(text: str) -> Any:
    raise InputRefused("bad_json", problem=text)


def parse_json(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request's body, or :class:`InputRefused` saying what is wrong."""
    if len(raw) > MAX_BODY:
        raise InputRefused("body_too_large", limit=MAX_BODY // 1024)
    try:
        payload = json.loads(raw.decode("utf-8") if raw else "{}", parse_int=_int, parse_float=_float,
                             parse_constant=_constant)
    except RecursionError:
        raise InputRefused("json_too_deep", limit=MAX_DEPTH) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputRefused("bad_json", problem=str(exc).splitlines()[0][:200]) from None
    if not isinstance(payload, dict):
        raise InputRefused("bad_json", problem=type(payload).__name__)
    return check_value(payload)


def _error(request: Request, exc: CocreaError, status: int) -> JSONResponse:
    return JSONResponse(exc.as_dict(lang_of(request)), status_code=status)


async def _identity(request: Request, slug: str):
    """(identity, error response) for a token that must belong to a person of ``slug``."""
    identity, problem = await auth.bearer(request)
    if identity is None:
        resp = _error(request, NotAllowed([web_reason(problem)]), 401)
        resp.headers["WWW-Authenticate"] = "Bearer"
        return None, resp
    if identity.process != slug:
        return None, _error(request, NotAllowed([web_reason("token_other_process", process=identity.process,
                                                            slug=slug)]), 403)
    return identity, None


@router.get("/processes", summary="Every process, with its stage")
async def list_processes(request: Request) -> list[dict[str, Any]]:
    return await run_in_threadpool(public.processes, request.app.state.read_engine, lang_of(request))


@router.get("/processes/{slug}", summary="The public view of a process (no personal data)", responses=READ_ERRORS)
async def get_process(request: Request, slug: str) -> dict[str, Any]:
    return await run_in_threadpool(public.public_view, request.app.state.read_engine, slug, lang_of(request))


def _list_route(name: str):
    async def endpoint(request: Request, slug: str, page: int = Query(1, ge=1, le=1_000_000),
                       per_page: int = Query(lists.PER_PAGE, ge=1, le=lists.MAX_PER_PAGE),
                       q: str = Query("", max_length=200)) -> dict[str, Any]:
        return await run_in_threadpool(lambda: lists.page(request.app.state.read_engine, slug, name, page=page,
                                                          per_page=per_page, q=q, lang=lang_of(request)))
    endpoint.__name__ = f"list_{name}"
    return endpoint


for _list in lists.LISTS:
    router.add_api_route(f"/processes/{{slug}}/{_list}", _list_route(_list), methods=["GET"], responses=READ_ERRORS,
                         summary=f"The process's {_list.replace('_', ' ')}, a page at a time (no personal data)",
                         description="`page` (from 1), `per_page` (at most 200), `q`: only the rows whose text "
                                     "contains it, ignoring case. `total`: the rows that match; `all`: every row.")


@router.get("/processes/{slug}/status", summary="Stage, next move and every unmet criterion", responses=READ_ERRORS)
async def get_status(request: Request, slug: str) -> dict[str, Any]:
    return await run_in_threadpool(queries.status, request.app.state.read_engine, slug, lang_of(request))


@router.get("/processes/{slug}/history", summary="The audit trail (personal data redacted)", responses=AUTH_ERRORS)
async def get_history(request: Request, slug: str) -> Any:
    identity, error = await _identity(request, slug)
    if error:
        return error
    return await run_in_threadpool(queries.history, request.app.state.read_engine, slug)


@router.get("/processes/{slug}/audit", summary="Verify the audit trail's hash chain; its entries and head",
            responses=AUTH_ERRORS | {409: ERROR})
async def verify_audit(request: Request, slug: str,
                       expect: list[str] = Query(default=[], description="heads published earlier (repeatable)")) -> Any:
    """The chain's entries and head. A chain that does not verify is an answer, not a failure of
    the server: 409 with ``"intact": false`` and every broken entry named (code, process, entry),
    as ``cocrea audit verify --json`` gives it."""
    identity, error = await _identity(request, slug)
    if error:
        return error
    try:
        return await run_in_threadpool(queries.verify_record, request.app.state.read_engine, slug, expect)
    except AuditBroken as exc:
        return JSONResponse({"intact": False, **exc.as_dict(lang_of(request))}, status_code=409)


@router.get("/processes/{slug}/workspace", summary="What the token's person may do now, and what blocks each move",
            responses=AUTH_ERRORS)
async def get_workspace(request: Request, slug: str) -> Any:
    identity, error = await _identity(request, slug)
    if error:
        return error
    return await run_in_threadpool(workspace.workspace_view, request.app.state.read_engine, slug, identity.handle,
                                   lang_of(request))


@router.get("/actions", summary="Every action: roles, stages, description")
async def list_actions() -> list[dict[str, Any]]:
    return [{"name": n, "roles": list(a.roles), "stages": list(a.stages), "while_suspended": a.while_suspended,
             "dated": a.dated, "description": a.doc, "schema": f"#/components/schemas/{a.schema.__name__}"}
            for n, a in actions.ACTIONS.items() if not a.creates_process]


def _action_route(name: str):
    async def endpoint(request: Request, slug: str) -> Any:
        identity, error = await _identity(request, slug)
        if error:
            return error
        try:
            payload = parse_json(await request.body())
        except InputRefused as exc:
            return _error(request, exc, 413 if exc.code == "body_too_large" else 400)

        def apply():
            # ``at``: when the fact happened (ISO 8601 with its offset), as an item of ``cocrea apply``
            # gives it; not part of the action's schema, so taken out of the body here
            at = actions.parse_at(payload.pop("at", None))
            # ``Idempotency-Key``: a request retried with the same key is applied once (as an
            # item of ``cocrea apply``); the retry gets the first result, marked "replayed"
            key = actions.idempotency_key("Idempotency-Key", request.headers.get("idempotency-key"))
            if key is not None:  # one person's keys: another's key never collides with, nor reveals, theirs
                key = "api:" + hashlib.sha256(f"{slug}\x00{identity.handle}\x00{key}".encode()).hexdigest()
            with credentials.collecting() as issued:
                result = actions.apply(request.app.state.engine, name, payload, actor=identity.handle, process=slug,
                                       clock=request.app.state.clock, at=at, idempotency_key=key)
            return result, issued

        try:
            result, issued = await run_in_threadpool(apply)
        except CocreaError as exc:
            return _error(request, exc, error_status(exc))
        if isinstance(result, AlreadyApplied):
            result = dict(result)
            return {"action": name, "result": result, "said": said(lang_of(request), name, result).as_dict(),
                    "replayed": True}
        if name != "set_credentials":  # what it did, in a sentence (a decision: adopted or rejected, and why)
            return {"action": name, "result": result, "said": said(lang_of(request), name, result).as_dict()}
        # a secret it made: the actor's own token, or a code to hand over in person, shown once;
        # a code for someone with an email goes there and is never in this answer
        handover = await auth.hand_over(request, issued)
        out = {"action": name, "result": result, "issued": handover.shown}
        if handover.unsent:
            out["undelivered"] = handover.unsent
        return out
    endpoint.__name__ = f"action_{name}"
    return endpoint


for _name, _action in actions.ACTIONS.items():
    if _action.creates_process:
        continue  # a process is created with the CLI (its creator has no token yet)
    router.add_api_route(
        f"/processes/{{slug}}/actions/{_name}", _action_route(_name), methods=["POST"], name=f"action_{_name}",
        summary=(_action.doc.splitlines()[0] if _action.doc else _name),
        description=f"{_action.doc}\n\nWho: {', '.join(_action.roles)}. "
                    f"When: {'stage ' + ' / '.join(_action.stages) if _action.stages else 'any open stage'}"
                    f"{'; also while suspended' if _action.while_suspended else ''}.",
        responses={200: {"description": "Applied; the action's result",
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionResult"}}}},
                   **ACTION_ERRORS},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{_action.schema.__name__}"}}}},
            "security": [{"bearerAuth": []}]})


#: ``at`` in the body of an action that records a fact (``ActionDef.dated``): not a field of its schema.
AT_SCHEMA = {"type": "string", "format": "date-time", "title": "At",
             "description": "when the fact happened, ISO 8601 with its offset (e.g. 2026-03-01T10:00:00-06:00); "
                            "default: now. Not after now, nor before the process's last recorded action"}


def install_openapi(app: FastAPI) -> None:
    """The OpenAPI document, with every action's schema as its request body."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = doc.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for action in actions.ACTIONS.values():
            js = action.schema.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in js.pop("$defs", {}).items():
                schemas.setdefault(name, sub)
            if action.dated:
                js["properties"] = {**js.get("properties", {}), "at": AT_SCHEMA}
            schemas[action.schema.__name__] = js
        schemas["Reason"] = {"type": "object", "required": ["code", "message", "details"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}
        schemas["Error"] = {"type": "object", "required": ["error", "reasons"], "properties": {
            "error": {"type": "string"}, "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}}}}
        schemas["ActionResult"] = {"type": "object", "required": ["action", "result"], "properties": {
            "action": {"type": "string"}, "result": {"type": "object"},
            "said": {"type": "object", "description": "what the action did, in a sentence of the request's "
                                                       "language (`text`); `refused`: true for a decision taken "
                                                       "and rejected (its result says why: rule, objections, tally)"},
            "issued": {"type": "array", "items": {"type": "object"},
                       "description": "set_credentials: what it made for the caller to keep (its own new token, "
                                      "or a one-time code to hand over in person), shown this once"},
            "undelivered": {"type": "array", "items": {"type": "object"},
                            "description": "set_credentials: codes whose email could not be sent"}}}
        components["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                        "description": "a token from the workspace's account page "
                                                                       "or `cocrea user new-token`"}}
        for path, item in doc.get("paths", {}).items():
            for op in item.values():
                if not isinstance(op, dict):
                    continue
                op.get("responses", {}).pop("422", None)  # validation errors answer 400 (see the handler)
                if any(part in path for part in ("/history", "/workspace", "/audit")):
                    op["security"] = [{"bearerAuth": []}]
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi
