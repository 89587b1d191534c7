"""The ``cocrea`` command: parse, call an action or a read, print. No domain rule here.

Exit codes: 0 done; 1 internal error; 2 bad input; 3 refused by the process rules;
4 audit chain broken; 5 a setting that cannot be used (no database there, a server that does not
answer, a bad URL or mail setting).

Everything printed is in the reader's language (``--lang``, ``COCREA_LANG``, Spanish by
default), help included (:mod:`cli.text`). The engine, the reads and the web app are imported
inside the commands that use them, so ``cocrea --help`` starts fast.

Why one module: it is the table of ``cocrea``'s commands, each a few lines that parse, call an
action or a read, and print; their texts live in ``cli/text.py``, the demo in ``cli/demo.py``,
the reminder commands in ``cli/reminders.py``.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

from i18n import D_, N_, gettext, ngettext, pgettext
from stages import TEMPLATES, vocabulary
from stages.errors import AuditBroken, CocreaError, InvalidInput, reason

from . import describe as says
from .citizens import citizen
from .context import Ctx, fail, guard
from .imports import export_group, import_group
from .ops import backup, restore
from .reminders import reminders, worker
from .text import Cocrea, Option, argument, option


@click.group(cls=Cocrea, context_settings={"help_option_names": ["-h", "--help"]},
             help=D_("cocrea: co-creation processes of Open Government action plans."))
@option("--db", "db", metavar="URL", help=D_("SQLAlchemy URL (default: COCREA_DATABASE_URL or ./cocrea.db)"))
@option("--lang", type=click.Choice(["es", "en"]), default=lambda: os.environ.get("COCREA_LANG", "es"),
        help=D_("language of messages and help (default: COCREA_LANG or es)"))
@click.version_option(package_name="cocrea", prog_name="cocrea", message="%(prog)s %(version)s", cls=Option,
                      help=D_("Show the version and exit."))
@click.pass_context
def main(click_ctx: click.Context, db: str | None, lang: str) -> None:
    click_ctx.obj = Ctx(db, lang)
    click_ctx.call_on_close(click_ctx.obj.close)


@main.command(help=D_("Create or upgrade the database. With --template and --slug, also create a process."))
@option("--template", type=click.Choice(sorted(TEMPLATES)), help=D_("process template"))
@option("--slug", help=D_("short name of the new process"))
@option("--name", help=D_("full name of the new process"))
@option("--coordinator", "coordinator", metavar=D_("HANDLE"), help=D_("handle of the first coordinator"))
@option("--coordinator-name", help=D_("name of the first coordinator"))
@option("--coordinator-email", metavar=D_("EMAIL"), help=D_("email of the first coordinator (private; for notices)"))
@option("--starts-on", metavar=D_("DATE"), help=D_("start of the term, YYYY-MM-DD"))
@option("--at", "at", metavar=D_("TIME"), help=D_("when the process was created, for one already under way "
                                                  "(ISO time with its offset, e.g. 2025-01-15T09:00-06:00; "
                                                  "default: now)"))
@option("--admin", "admin_handle", metavar=D_("HANDLE"), help=D_(
    "also add an administrator of the instance, who creates processes at /admin; their password is asked "
    "for here (typed by the administrator themself)"))
@option("--admin-name", help=D_("the administrator's name"))
@click.pass_obj
@guard
def init(ctx: Ctx, template, slug, name, coordinator, coordinator_name, coordinator_email, starts_on, at,
         admin_handle, admin_name) -> None:
    ctx.creating()
    from workflow import actions

    ctx.engine
    click.echo(ctx.described())
    if admin_name and not admin_handle:
        raise InvalidInput([reason("options_together", options="--admin, --admin-name")])
    if admin_handle:
        password = click.prompt(gettext(ctx.lang, "Password of the administrator '{handle}'").format(
            handle=admin_handle), hide_input=True, err=True,
                                confirmation_prompt=gettext(ctx.lang, "Repeat the password"))
        _make_admin(ctx, admin_handle, admin_name, password)
    if any((template, slug, name, starts_on, at, coordinator, coordinator_name)):  # no option is ignored
        if not (template and slug and name and coordinator):
            raise InvalidInput([reason("options_together", options="--template, --slug, --name, --coordinator")])
        payload = {"slug": slug, "name": name, "template": template,
                   "coordinator_name": coordinator_name or coordinator}
        if starts_on:
            payload["starts_on"] = starts_on
        if coordinator_email:
            payload["coordinator_email"] = coordinator_email
        result = actions.apply(ctx.engine, "create_process", payload, actor=coordinator,
                               at=actions.parse_at(at, "--at"))
        click.echo(ngettext(ctx.lang, "Process created: {process} ({template}, term of {count} month, rule set {ruleset})",
                            "Process created: {process} ({template}, term of {count} months, rule set {ruleset})",
                            result["term_months"]).format(
            process=result["process"], template=vocabulary.label("template", template, ctx.lang),
            count=result["term_months"], ruleset=result["ruleset"]))


@main.group(help=D_("Database schema."))
def db() -> None:
    pass


@db.command("upgrade", help=D_("Apply every pending migration."))
@click.pass_obj
@guard
def db_upgrade(ctx: Ctx) -> None:
    ctx.creating()
    import migrations

    engine = ctx.engine
    click.echo(f"{ctx.described()} @ {migrations.current(engine)}")


def read_actions(path: str) -> list[dict]:
    import yaml

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(text) if not path.endswith(".json") else json.loads(text)
    except (OSError, yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput([reason("bad_file", problem=str(exc).splitlines()[0])]) from None
    if isinstance(data, dict) and "actions" in data:
        data = data["actions"]
    if not isinstance(data, list):
        raise InvalidInput([reason("bad_file_not_a_list")])
    return data


def applied(lang: str, count: int) -> str:
    """``1 acción aplicada``, ``2 acciones aplicadas``."""
    return ngettext(lang, "{count} action applied", "{count} actions applied", count).format(count=count)


#: The key of an item that is refused on purpose (an example showing why): the stable code of its reason.
EXPECT = "expect_refusal"


def apply_items(ctx: Ctx, items: list, process: str | None, after=None, skipped: list | None = None) -> int:
    """Apply a file's items in order: the one path of ``cocrea apply`` and ``cocrea demo``.

    Stops at the first refusal and says why, unless the item expects that refusal
    (``expect_refusal: <code>``): then it shows the reasons and goes on (a refusal writes nothing).
    An item that expects a refusal and is applied stops the file. ``after(item, result, process)``
    is called after each applied item. An item whose ``idempotency_key`` was applied before (a
    file run again) is skipped: its number goes to ``skipped``. Returns how many were applied."""
    from workflow import actions
    from workflow.engine import AlreadyApplied

    done = 0
    for n, item in enumerate(items, 1):
        expected = item.get(EXPECT) if isinstance(item, dict) else None
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k != EXPECT}
        name = item.get("action") if isinstance(item, dict) else None
        title = says.title(name, ctx.lang) if isinstance(name, str) else "?"
        stopped = gettext(ctx.lang, "Stopped at action {n} ({action}).").format(n=n, action=title)
        try:
            (result,) = actions.apply_many(ctx.engine, [item], default_process=process)
        except CocreaError as exc:
            if expected is not None and expected in exc.codes:
                click.echo(gettext(ctx.lang, "✗ Refused, as the file expects: '{action}':").format(action=title))
                for r in exc.reasons:
                    click.echo(f"  - [{r.code}] {r.message(ctx.lang)}")
                continue
            click.echo(applied(ctx.lang, done), err=True)
            fail(ctx, exc, prefix=stopped + " ")
        if expected is not None:  # it should have been refused: the file no longer says what happens
            click.echo(applied(ctx.lang, done + 1), err=True)
            fail(ctx, InvalidInput([reason("refusal_expected", item=n, expected=str(expected))]), prefix=stopped + " ")
        if item.get("action") == "create_process":
            process = item.get("slug", process)
        if isinstance(result, AlreadyApplied):  # a re-run file: this item was applied before
            if skipped is not None:
                skipped.append(n)
            continue
        if after is not None:
            after(item, result, process)
        done += 1
    return done


@main.command(help=D_("Apply a YAML or JSON list of actions, in order. Stops at the first refusal and says "
                      "why; says how each decision came out. Items whose idempotency_key was applied before are "
                      "skipped: a file run again continues where it stopped."))
@argument("file")
@option("--process", metavar=D_("PROCESS"), help=D_("process for items that do not name one"))
@click.pass_obj
@guard
def apply(ctx: Ctx, file: str, process: str | None) -> None:
    ctx.creating()

    def outcome(item: dict, result: dict, process: str | None) -> None:
        if item.get("action") == "decide":
            people = ctx.people(item.get("process", process)) if says.needs_names(result) else None
            click.echo(says.decision_outcome(result, ctx.lang, people))

    skipped: list[int] = []
    done = apply_items(ctx, read_actions(file), process, outcome, skipped)
    click.echo(applied_and_skipped(ctx.lang, done, len(skipped)))


def applied_and_skipped(lang: str, done: int, skipped: int) -> str:
    """``3 acciones aplicadas`` and, on a re-run, how many items were applied before."""
    if not skipped:
        return applied(lang, done)
    return applied(lang, done) + "; " + ngettext(
        lang, "{count} applied before (idempotency key), skipped", "{count} applied before (idempotency keys), skipped",
        skipped).format(count=skipped)


@main.command(help=D_("Where a process stands. Its stage, term, seated sectors and every unmet criterion of its next "
                      "move."))
@argument("process")
@option("--json", "as_json", is_flag=True, help=D_("machine-readable output"))
@click.pass_obj
@guard
def status(ctx: Ctx, process: str, as_json: bool) -> None:
    from reads import status as queries

    st = queries.status(ctx.reader, process, ctx.lang)
    if as_json:
        click.echo(json.dumps(st, ensure_ascii=False, indent=2))
        return
    click.echo(print_status(ctx, st))


def print_status(ctx: Ctx, st: dict) -> str:
    lang = ctx.lang
    if st["stage"] == "suspended":
        stage = vocabulary.render(SUSPENDED_FROM, lang, stage=st["suspended_from"])
    elif st["closed"]:
        stage = vocabulary.label("state", "closed", lang)
    else:
        stage = f"{st['stage_number']}/8 {st['stage_title']}"
    seated = ", ".join(f"{vocabulary.label('sector', k, lang)} {v}" for k, v in st["seated"].items())
    term = f"{st['starts_on']} → {st['term_ends_on']} ({st['timezone']})"
    rows = [(gettext(lang, "Stage"), stage), (gettext(lang, "Term"), term),
            (gettext(lang, "Seated sectors"), seated or gettext(lang, "none"))]
    if st["withdrawn_sectors"]:
        rows.append((gettext(lang, "Withdrawn sectors"), vocabulary.labels("sector", st["withdrawn_sectors"], lang)))
    if st["next_move"]:
        state = (gettext(lang, "ready: can be put to the secretariat") if st["ready"]
                 else gettext(lang, "criteria still unmet:"))
        rows.append((pgettext(lang, "status", "Next move"), f"{vocabulary.label('event', st['next_move'], lang)} — {state}"))
    lines = [f"{st['name']} [{st['process']}]", *(f"  {head}: {text}" for head, text in rows)]
    for u in st["unmet"] if st["next_move"] else []:
        lines.append(f"    - [{u['code']}] {u['message']}")
    return "\n".join(lines)


SUSPENDED_FROM = N_("suspended (from '{stage:stage}')")


@main.command(help=D_("The full history of a process. Who did what, when, in which session, why."))
@argument("process")
@option("--json", "as_json", is_flag=True, help=D_("machine-readable output"))
@click.pass_obj
@guard
def history(ctx: Ctx, process: str, as_json: bool) -> None:
    from reads import status as queries

    entries = queries.history(ctx.reader, process)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    people = ctx.people(process) if any(says.needs_names(e["result"]) for e in entries
                                        if e["action"] == "decide" and isinstance(e["result"], dict)) else None
    for e in entries:
        where = f" [{e['session']}]" if e["session"] else ""
        what = says.did(e["action"], e["result"], ctx.lang, people)
        why = f" — {e['reason']}" if e["reason"] else ""
        at = f"{e['at'][:10]} {e['at'][11:16]}"
        late = e["recorded_at"][:16] != e["at"][:16]
        recorded = (" " + gettext(ctx.lang, "(recorded {when})").format(
            when=f"{e['recorded_at'][:10]} {e['recorded_at'][11:16]}")) if late else ""
        click.echo(f"{e['seq']:>4} {at} {e['actor']:<16} {says.title(e['action'], ctx.lang)}{where}"
                   f"{': ' + what if what else ''}{why}{recorded}")


@main.group(help=D_("The audit trail."))
def audit() -> None:
    pass


@audit.command("verify", help=D_("Check the hash chain of one process (or all) and print its head, the hash to "
                                   "publish."))
@argument("process", required=False)
@option("--expect", "expect", multiple=True, metavar=D_("HASH"),
        help=D_("a head published earlier (repeatable): the chain must still contain it, or exit 4"))
@option("--deep", is_flag=True, help=D_("also replay the trail into a fresh database and compare every table with "
                                       "the live one: rows changed around the actions are named"))
@option("--json", "as_json", is_flag=True, help=D_("machine-readable output"))
@click.pass_obj
@guard
def audit_verify(ctx: Ctx, process: str | None, expect: tuple[str, ...], deep: bool, as_json: bool) -> None:
    try:
        checked = _verify(ctx, process, expect, deep)
    except AuditBroken as exc:
        if not as_json:
            raise
        click.echo(json.dumps({"intact": False, **exc.as_dict(ctx.lang)}, ensure_ascii=False, indent=2))
        sys.exit(exc.exit_code)
    if as_json:
        click.echo(json.dumps({"intact": True, "processes": checked}, ensure_ascii=False, indent=2))
        return
    click.echo(audit_line(ctx.lang, sum(c["entries"] for c in checked.values())))
    for slug, c in checked.items():
        n = c["entries"]
        click.echo(f"  {slug}: " + ngettext(ctx.lang, "{count} entry", "{count} entries", n).format(count=n))
        if c["head"]:
            click.echo("    " + gettext(ctx.lang, "head (entry {seq}, {at}): {head}").format(
                seq=c["seq"], at=c["at"][:16].replace("T", " ") + " UTC", head=c["head"]))
        if "deep_rows" in c:
            click.echo("    " + ngettext(ctx.lang, "deep check: {count} row matches the audit trail replayed",
                                         "deep check: {count} rows match the audit trail replayed",
                                         c["deep_rows"]).format(count=c["deep_rows"]))
        for e in c["expected"]:
            click.echo("    " + (gettext(ctx.lang, "the published head {hash} is the current head").format(hash=e["hash"])
                                 if not e["after"] else
                                 ngettext(ctx.lang, "the published head {hash} is entry {seq}; {count} entry came after it",
                                          "the published head {hash} is entry {seq}; {count} entries came after it",
                                          e["after"]).format(hash=e["hash"], seq=e["seq"], count=e["after"])))


def _verify(ctx: Ctx, process: str | None, expect: tuple[str, ...], deep: bool) -> dict:
    """The chains (and ``--deep``, a replay of each trail) through the quick reader; a process not
    found or a trail left without its process (named by the full way) through the engine."""
    from reads import status as queries
    from stages.errors import NotFound
    from storage.plain import Reader

    if isinstance(ctx.reader, Reader):
        try:
            return queries.verify_record(ctx.reader, process, expect, deep=deep)
        except NotFound:
            pass
    return queries.verify_record(ctx.engine, process, expect, deep=deep)


def audit_line(lang: str, n: int) -> str:
    return ngettext(lang, "Audit trail intact: {count} entry verified", "Audit trail intact: {count} entries verified",
                    n).format(count=n)


@main.command("actions", help=D_("List the actions and what each does. With --markdown, print their reference."))
@option("--markdown", is_flag=True, help=D_("print docs/actions.md, the reference of every field (in English)"))
@click.pass_obj
def list_actions(ctx: Ctx, markdown: bool) -> None:
    from workflow.actions import ACTIONS

    if markdown:
        from .docgen import actions_markdown

        click.echo(actions_markdown(), nl=False)
        return
    width = min(shutil.get_terminal_size().columns, 100)
    for name in ACTIONS:
        click.echo(f"{name}: {says.title(name, ctx.lang)}")
        click.echo(click.wrap_text(says.description(name, ctx.lang), width=width, initial_indent="    ",
                                   subsequent_indent="    "))


@main.command(help=D_("Run a complete local exercise, from start to close. From the declaration to the "
                      "close, on a fresh SQLite file."))
@option("--db-file", default="cocrea-demo.db", show_default=True, metavar=D_("FILE"),
        help=D_("SQLite file to create"))
@option("--replace", is_flag=True, help=D_("delete FILE first if it exists (its data is lost)"))
@click.pass_obj
@guard
def demo(ctx: Ctx, db_file: str, replace: bool) -> None:
    from reads import checks
    from reads import status as queries

    from .demo import EXAMPLE, process_of

    items = read_actions(str(EXAMPLE))
    P = process_of(items)
    path = Path(db_file).resolve()
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
    if any(f.exists() for f in files) and not replace:  # never destroy data without being told (issue 12)
        raise InvalidInput([reason("file_exists", path=str(path), flag="--replace")])
    for f in files:
        f.unlink(missing_ok=True)
    ctx.url = f"sqlite:///{path}"
    ctx.creating()
    click.echo(ctx.described())
    click.echo(gettext(ctx.lang, "Applying {file}, as 'cocrea apply' does:").format(
        file=EXAMPLE.relative_to(EXAMPLE.parents[2])))
    last_stage = None

    def stage_line(item: dict, result: dict, process: str | None) -> None:
        nonlocal last_stage
        if item.get("action") not in ("create_process", "decide", "withdraw_sector"):
            return  # only these move the stage (a required sector's withdrawal suspends it)
        stage = queries.status(ctx.engine, P, ctx.lang)
        if stage["stage"] != last_stage:
            last_stage = stage["stage"]
            title = stage["stage_title"] if not stage["closed"] else vocabulary.label("state", "closed", ctx.lang)
            at = item.get("at", "")
            click.echo(f"→ {stage['stage_number'] or '·'} {title}  ({str(at)[:10]})")

    count = apply_items(ctx, items, None, stage_line)
    click.echo("\n" + applied(ctx.lang, count))
    click.echo(print_status(ctx, queries.status(ctx.engine, P, ctx.lang)))
    click.echo(audit_line(ctx.lang, sum(queries.verify_audit(ctx.engine, P).values())))
    click.echo(checks.report(ctx.engine, P).as_dict(ctx.lang)["summary_line"])
    click.echo(f"\ncocrea --db sqlite:///{path} history {P}\ncocrea --db sqlite:///{path} check {P}")


# --- the web app and sign-in credentials ------------------------------------------------


@main.command(help=D_("Serve the web app. The public site, the workspace and the JSON API (docs/web.md)."))
@option("--host", default="127.0.0.1", show_default=True, help=D_("address to listen on"))
@option("--port", default=8000, show_default=True, type=int, help=D_("port to listen on"))
@option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), metavar="INTEGER",
        help=D_("web processes sharing the address (sessions and sign-in limits are kept in the database)"))
@click.pass_obj
@guard
def serve(ctx: Ctx, host: str, port: int, workers: int) -> None:
    ctx.creating()
    import uvicorn

    from storage.settings import settings as in_force
    from web import create_app

    engine = ctx.engine  # created or migrated once, here, before any worker starts
    click.echo(ctx.described())
    click.echo(f"http://{host}:{port}/")
    if not in_force().get("COCREA_PUBLIC_URL"):  # links go where this server is, not to another port
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else f"[{host}]" if ":" in host else host
        os.environ["COCREA_PUBLIC_URL"] = f"http://{shown}:{port}"  # read by this process and its --workers
        click.echo(gettext(ctx.lang, "COCREA_PUBLIC_URL is not set: feeds, calendars and emailed codes link to "
                                     "{url} (docs/settings.md).").format(url=os.environ["COCREA_PUBLIC_URL"]),
                   err=True)
    if workers == 1:
        uvicorn.run(create_app(engine), host=host, port=port, log_level="info", proxy_headers=False,
                    server_header=False)  # no "server: uvicorn": what runs the site is no visitor's business
        return
    engine.dispose()
    os.environ["COCREA_DATABASE_URL"] = ctx.url  # each worker process opens the same database
    uvicorn.run("cli.main:web_app", factory=True, workers=workers, host=host, port=port, log_level="info",
                proxy_headers=False, server_header=False)


def web_app():
    """The web app of one worker process of ``cocrea serve --workers N`` (uvicorn's factory)."""
    from storage.db import open_database
    from web import create_app

    return create_app(open_database(os.environ.get("COCREA_DATABASE_URL")))


@main.group(help=D_("Sign-in credentials of the people of a process. Stored hashed."))
def user() -> None:
    pass


@user.command("set-password", help=D_("Set a person's password for the web workspace."))
@argument("process")
@argument("handle")
@option("--as", "actor", required=True, metavar=D_("HANDLE"), help=D_("who does it: HANDLE itself (no one sets "
                                                                       "another's password or token)"))
@click.password_option("--password", cls=Option, prompt=D_("Password"), confirmation_prompt=True,
                       help=D_("asked for when not given"))
@click.pass_obj
@guard
def user_set_password(ctx: Ctx, process: str, handle: str, actor: str, password: str) -> None:
    from workflow import actions

    result = actions.apply(ctx.engine, "set_credentials", {"handle": handle, "password": password},
                           actor=actor, process=process)
    click.echo(gettext(ctx.lang, "Password set for {person}.").format(person=result["person"]))


@user.command("new-token", help=D_("Make (or replace) one's own JSON API token. Printed once, stored hashed."))
@argument("process")
@argument("handle")
@option("--as", "actor", required=True, metavar=D_("HANDLE"), help=D_("who does it: HANDLE itself (no one sets "
                                                                       "another's password or token)"))
@click.pass_obj
@guard
def user_new_token(ctx: Ctx, process: str, handle: str, actor: str) -> None:
    from workflow import actions
    from workflow.credentials import collecting

    with collecting() as issued:  # the server makes the token (issue 12); only its hash is kept
        actions.apply(ctx.engine, "set_credentials", {"handle": handle, "new_token": True}, actor=actor,
                      process=process)
    click.echo(issued[0].value)


@main.group(help=D_("Administrators of the instance: they create processes from the web (/admin)."))
def admin() -> None:
    pass


@admin.command("create", help=D_("Add an administrator of the instance (or give one a new password). The "
                                 "administrator types their own password."))
@argument("handle")
@option("--name", help=D_("the administrator's name"))
@click.password_option("--password", cls=Option, prompt=D_("Password"), confirmation_prompt=True,
                       help=D_("asked for when not given"))
@click.pass_obj
@guard
def admin_create(ctx: Ctx, handle: str, name: str | None, password: str) -> None:

    _make_admin(ctx, handle, name, password)


def _make_admin(ctx: Ctx, handle: str, name: str | None, password: str) -> None:
    from stages.clock import SystemClock
    from workflow.signin import create_admin

    create_admin(ctx.engine, handle, name or handle, password, SystemClock().now())
    click.echo(gettext(ctx.lang, "Administrator '{handle}' can sign in at /admin.").format(handle=handle))


@main.command(help=D_("Compliance with the participation and co-creation standards. Every rule, its "
                      "evidence, what is missing."))
@argument("process")
@option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text", show_default=True,
        help=D_("output format"))
@option("--as-of", "as_of", metavar=D_("DATE"), help=D_("as of a past date (YYYY-MM-DD, end of that day) or ISO time"))
@option("--ruleset", help=D_("check against another rule set (read only; default: the process's)"))
@option("--timeline", is_flag=True, help=D_("status of every rule at the end of each month (from the audit trail)"))
@option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help=D_("write to FILE instead of printing"))
@click.pass_obj
@guard
def check(ctx: Ctx, process: str, fmt: str, as_of: str | None, ruleset: str | None, timeline: bool,
          output: str | None) -> None:
    from compliance.render import render
    from compliance.timeline import render_timeline
    from reads import checks

    moment = checks.parse_as_of(as_of, checks.process_timezone(ctx.reader, process)) if as_of else None
    if timeline:
        out = render_timeline(checks.timeline(ctx.reader, process, ruleset=ruleset, until=moment),
                              "json" if fmt == "json" else "text", ctx.lang)
    else:  # a moment at or after the process's last fact reads today's rows; one before it is rebuilt from the trail
        out = render(checks.report(ctx.reader, process, as_of=moment, ruleset=ruleset), fmt, ctx.lang)
    if output:
        Path(output).write_text(out, encoding="utf-8")
        click.echo(output)
    else:
        click.echo(out, nl=False)


@main.group(help=D_("Compliance rule sets."))
def ruleset() -> None:
    pass


#: Where a rule set comes from.
SOURCES = {"builtin": N_("built in"), "custom": N_("the secretariat's own")}


@ruleset.command("list", help=D_("The rule sets, with their rules and levels. The built-in ones, and a process's own."))
@argument("process", required=False)
@click.pass_obj
@guard
def ruleset_list(ctx: Ctx, process: str | None) -> None:
    from compliance import rulesets
    from compliance.messages import LEVEL
    from reads import checks

    proc = checks.load_process(ctx.reader, process) if process else None
    for name in rulesets.known_names(proc):
        rs = rulesets.resolve(proc, name) if proc is not None else rulesets.BUILTIN[name]
        source = SOURCES[rs.source].render(ctx.lang) if rs.source in SOURCES else rs.source
        click.echo(f"{rs.name} v{rs.version} [{source}] {rs.title.render(ctx.lang)}")
        click.echo("  " + ", ".join(f"{rid} ({LEVEL[lvl].render(ctx.lang) if lvl in LEVEL else lvl})"
                                    for rid, lvl in rs.rules))


@ruleset.command("add", help=D_("Register a rule set of the secretariat's own. From a YAML or JSON file "
                                "(an audited action)."))
@argument("process")
@argument("file")
@option("--as", "--actor", "actor", required=True, metavar=D_("HANDLE"), help=D_("coordinator who registers it"))
@option("--use", is_flag=True, help=D_("also make it the process's rule set"))
@click.pass_obj
@guard
def ruleset_add(ctx: Ctx, process: str, file: str, actor: str, use: bool) -> None:
    import yaml

    from workflow import actions

    try:
        text = Path(file).read_text(encoding="utf-8")
        data = json.loads(text) if file.endswith(".json") else yaml.safe_load(text)
    except (OSError, yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput([reason("bad_file", problem=str(exc).splitlines()[0])]) from None
    result = actions.apply(ctx.engine, "register_ruleset", {"ruleset": data, "use": use}, actor=actor, process=process)
    click.echo(f"{result['ruleset']} v{result['version']}: "
               + ngettext(ctx.lang, "{count} rule", "{count} rules", result["rules"]).format(count=result["rules"]))


main.add_command(reminders)
main.add_command(citizen)
main.add_command(import_group)
main.add_command(export_group)
main.add_command(worker)
main.add_command(backup)
main.add_command(restore)

if __name__ == "__main__":  # pragma: no cover
    main()
