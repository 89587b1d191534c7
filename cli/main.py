"""The ``cocrea`` command: parse, call an action or a read, print. No domain rule here.

Exit codes: 0 done; 1 internal error; 2 bad input; 3 refused by the process rules;
4 audit chain broken.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
import yaml

import migrations
from reads import status as queries
from stages import TEMPLATES, vocabulary
from stages.errors import CocreaError, InvalidInput, reason
from storage import describe
from workflow import actions

from .context import LABELS, Ctx, fail, guard
from .reminders import reminders, worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", metavar="URL", help="SQLAlchemy URL (default: COCREA_DATABASE_URL or ./cocrea.db)")
@click.option("--lang", type=click.Choice(["es", "en"]), default=lambda: os.environ.get("COCREA_LANG", "es"),
              help="language of messages (default: COCREA_LANG or es)")
@click.pass_context
def main(click_ctx: click.Context, db: str | None, lang: str) -> None:
    """cocrea: co-creation processes of Open Government action plans."""
    click_ctx.obj = Ctx(db, lang if lang in LABELS else "es")


@main.command()
@click.option("--template", type=click.Choice(sorted(TEMPLATES)), help="process template")
@click.option("--slug", help="short name of the new process")
@click.option("--name", help="full name of the new process")
@click.option("--coordinator", "coordinator", help="handle of the first coordinator")
@click.option("--coordinator-name", help="name of the first coordinator")
@click.option("--starts-on", help="start of the term, YYYY-MM-DD")
@click.pass_obj
@guard
def init(ctx: Ctx, template, slug, name, coordinator, coordinator_name, starts_on) -> None:
    """Create or upgrade the database; with --template and --slug, create a process."""
    ctx.engine
    click.echo(f"{ctx.t('db')}: {describe(ctx.url)}")
    if template or slug:
        if not (template and slug and name and coordinator):
            raise InvalidInput([reason("options_together", options="--template, --slug, --name, --coordinator")])
        payload = {"slug": slug, "name": name, "template": template,
                   "coordinator_name": coordinator_name or coordinator}
        if starts_on:
            payload["starts_on"] = starts_on
        result = actions.apply(ctx.engine, "create_process", payload, actor=coordinator)
        click.echo(f"{ctx.t('created')}: {result['process']} ({template}, {result['term_months']} meses/months, "
                   f"{result['ruleset']})")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_obj
@guard
def db_upgrade(ctx: Ctx) -> None:
    """Apply every pending migration."""
    engine = ctx.engine
    click.echo(f"{ctx.t('db')}: {describe(ctx.url)} @ {migrations.current(engine)}")


def read_actions(path: str) -> list[dict]:
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


@main.command()
@click.argument("file")
@click.option("--process", help="process for items that do not name one")
@click.pass_obj
@guard
def apply(ctx: Ctx, file: str, process: str | None) -> None:
    """Apply a YAML or JSON list of actions in order; stop at the first refusal."""
    items = read_actions(file)
    done = 0
    for item in items:
        try:
            actions.apply_many(ctx.engine, [item], default_process=process)
        except CocreaError as exc:
            name = item.get("action") if isinstance(item, dict) else "?"
            if ctx.lang == "en":
                click.echo(ctx.t("applied", done), err=True)
            else:
                click.echo(ctx.t("applied", done), err=True)
            fail(ctx, exc, prefix=ctx.t("stopped", done + 1, name) + ". ")
        if isinstance(item, dict) and item.get("action") == "create_process":
            process = item.get("slug", process)
        done += 1
    click.echo(ctx.t("applied", done))


@main.command()
@click.argument("process")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@click.pass_obj
@guard
def status(ctx: Ctx, process: str, as_json: bool) -> None:
    """Where a process stands, and every unmet criterion of its next move."""
    st = queries.status(ctx.engine, process, ctx.lang)
    if as_json:
        click.echo(json.dumps(st, ensure_ascii=False, indent=2))
        return
    click.echo(print_status(ctx, st))


def print_status(ctx: Ctx, st: dict) -> str:
    if st["stage"] == "suspended":
        stage = ctx.t("suspended", st["suspended_from"])
    elif st["closed"]:
        stage = ctx.t("closed")
    else:
        stage = f"{st['stage_number']}/8 {st['stage_title']} ({st['stage']})"
    lines = [f"{st['name']} [{st['process']}]", f"  {ctx.t('stage')}: {stage}",
             f"  {ctx.t('term')}: {st['starts_on']} → {st['term_ends_on']} ({st['timezone']})",
             f"  {ctx.t('seated')}: " + (", ".join(f"{vocabulary.label('sector', k, ctx.lang)} {v}" for k, v in st["seated"].items())
                                          or ctx.t("none"))]
    if st["withdrawn_sectors"]:
        lines.append(f"  {ctx.t('withdrawn')}: " + ", ".join(vocabulary.label("sector", k, ctx.lang) for k in st["withdrawn_sectors"]))
    if st["next_move"]:
        lines.append(f"  {ctx.t('next')}: {st['next_move']} — " + (ctx.t("ready") if st["ready"] else ctx.t("unmet") + ":"))
        for u in st["unmet"]:
            lines.append(f"    - [{u['code']}] {u['message']}")
    return "\n".join(lines)


@main.command()
@click.argument("process")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@guard
def history(ctx: Ctx, process: str, as_json: bool) -> None:
    """The full history: who did what, when, in which session, why."""
    entries = queries.history(ctx.engine, process)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    for e in entries:
        where = f" [{e['session']}]" if e["session"] else ""
        why = f" — {e['reason']}" if e["reason"] else ""
        result = ", ".join(f"{k}={v}" for k, v in e["result"].items() if k != "tally") if isinstance(e["result"], dict) else ""
        click.echo(f"{e['seq']:>4} {e['at']} {e['actor']:<16} {e['action']}{where}{why}  {result}")


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@click.argument("process", required=False)
@click.pass_obj
@guard
def audit_verify(ctx: Ctx, process: str | None) -> None:
    """Check the hash chain of one process (or all)."""
    checked = queries.verify_audit(ctx.engine, process)
    click.echo(ctx.t("audit_ok", sum(checked.values())) + "".join(f"\n  {k}: {v}" for k, v in checked.items()))


@main.command("actions")
@click.option("--markdown", is_flag=True, help="print docs/actions.md")
def list_actions(markdown: bool) -> None:
    """List the actions (or print their reference in Markdown)."""
    from .docgen import actions_markdown

    if markdown:
        click.echo(actions_markdown(), nl=False)
        return
    for name, a in actions.ACTIONS.items():
        click.echo(f"{name:<30} {a.doc.splitlines()[0] if a.doc else ''}")


@main.command()
@click.option("--db-file", default="cocrea-demo.db", show_default=True, help="SQLite file, recreated")
@click.pass_obj
@guard
def demo(ctx: Ctx, db_file: str) -> None:
    """Run a complete local exercise, declaration to closed, on a fresh SQLite file."""
    from .demo import P, script

    path = Path(db_file).resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    ctx.url = f"sqlite:///{path}"
    click.echo(f"{ctx.t('db')}: {describe(ctx.url)}")
    last_stage, count = None, 0
    for label, item, expected_refusal in script():
        try:
            actions.apply_many(ctx.engine, [item])
            count += 1
        except CocreaError as exc:
            if not expected_refusal:
                raise
            click.echo(f"\n  ✗ {ctx.t('refused')} «{item['action']}» ({label}):")
            for msg in exc.messages(ctx.lang):
                click.echo(f"      {msg}")
            continue
        stage = queries.status(ctx.engine, P, ctx.lang)
        if stage["stage"] != last_stage:
            last_stage = stage["stage"]
            title = stage["stage_title"] if not stage["closed"] else ctx.t("closed")
            click.echo(f"\n→ {stage['stage_number'] or '·'} {title} [{stage['stage']}]  ({item.get('at', '')[:10]})")
    click.echo("\n" + ctx.t("applied", count))
    click.echo(print_status(ctx, queries.status(ctx.engine, P, ctx.lang)))
    click.echo(ctx.t("audit_ok", sum(queries.verify_audit(ctx.engine, P).values())))
    from reads import checks

    click.echo(checks.report(ctx.engine, P).as_dict(ctx.lang)["summary_line"])
    click.echo(f"\ncocrea --db sqlite:///{path} history {P}\ncocrea --db sqlite:///{path} check {P}")




# --- the web app and sign-in credentials ------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=int)
@click.pass_obj
@guard
def serve(ctx: Ctx, host: str, port: int) -> None:
    """Serve the public site, the workspace and the JSON API (docs/web.md)."""
    import uvicorn

    from web import create_app

    click.echo(f"{ctx.t('db')}: {describe(ctx.url)}")
    click.echo(f"http://{host}:{port}/")
    uvicorn.run(create_app(ctx.engine), host=host, port=port, log_level="info", proxy_headers=False)


@main.group()
def user() -> None:
    """Sign-in credentials of the people of a process (stored hashed)."""


@user.command("set-password")
@click.argument("process")
@click.argument("handle")
@click.option("--as", "actor", required=True, help="who does it: HANDLE itself, or a coordinator")
@click.password_option("--password", prompt=True, confirmation_prompt=True, help="asked for when not given")
@click.pass_obj
@guard
def user_set_password(ctx: Ctx, process: str, handle: str, actor: str, password: str) -> None:
    """Set a person's password for the web workspace."""
    result = actions.apply(ctx.engine, "set_credentials", {"handle": handle, "password": password},
                           actor=actor, process=process)
    click.echo(f"{result['person']}: ok")


@user.command("new-token")
@click.argument("process")
@click.argument("handle")
@click.option("--as", "actor", required=True, help="who does it: HANDLE itself, or a coordinator")
@click.pass_obj
@guard
def user_new_token(ctx: Ctx, process: str, handle: str, actor: str) -> None:
    """Create (or replace) a person's JSON API token; printed once, stored hashed."""
    from workflow.credentials import new_token

    token = new_token()
    actions.apply(ctx.engine, "set_credentials", {"handle": handle, "api_token": token}, actor=actor, process=process)
    click.echo(token)


@main.command()
@click.argument("process")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text", show_default=True)
@click.option("--as-of", "as_of", metavar="DATE", help="as of a past date (YYYY-MM-DD, end of that day) or ISO time")
@click.option("--ruleset", help="check against another rule set (read only; default: the process's)")
@click.option("--timeline", is_flag=True, help="status of every rule at the end of each month (from the audit trail)")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="write to FILE instead of printing")
@click.pass_obj
@guard
def check(ctx: Ctx, process: str, fmt: str, as_of: str | None, ruleset: str | None, timeline: bool,
          output: str | None) -> None:
    """Compliance with the participation and co-creation standards: every rule, its evidence, what is missing."""
    from compliance.render import render
    from compliance.timeline import render_timeline
    from reads import checks

    moment = checks.parse_as_of(as_of, checks.process_timezone(ctx.engine, process)) if as_of else None
    if timeline:
        out = render_timeline(checks.timeline(ctx.engine, process, ruleset=ruleset, until=moment),
                              "json" if fmt == "json" else "text", ctx.lang)
    else:
        out = render(checks.report(ctx.engine, process, as_of=moment, ruleset=ruleset), fmt, ctx.lang)
    if output:
        Path(output).write_text(out, encoding="utf-8")
        click.echo(output)
    else:
        click.echo(out, nl=False)


@main.group()
def ruleset() -> None:
    """Compliance rule sets."""


@ruleset.command("list")
@click.argument("process", required=False)
@click.pass_obj
@guard
def ruleset_list(ctx: Ctx, process: str | None) -> None:
    """Built-in rule sets (and a process's own), with their rules and levels."""
    from compliance import rulesets
    from reads import checks

    proc = checks.load_process(ctx.engine, process) if process else None
    for name in rulesets.known_names(proc):
        rs = rulesets.resolve(proc, name) if proc is not None else rulesets.BUILTIN[name]
        click.echo(f"{rs.name} v{rs.version} [{rs.source}] {rs.title.render(ctx.lang)}")
        click.echo("  " + ", ".join(f"{rid} ({lvl})" for rid, lvl in rs.rules))


@ruleset.command("add")
@click.argument("process")
@click.argument("file")
@click.option("--actor", required=True, help="coordinator who registers it")
@click.option("--use", is_flag=True, help="also make it the process's rule set")
@click.pass_obj
@guard
def ruleset_add(ctx: Ctx, process: str, file: str, actor: str, use: bool) -> None:
    """Register a rule set of the secretariat's own from a YAML or JSON file (an audited action)."""
    try:
        text = Path(file).read_text(encoding="utf-8")
        data = json.loads(text) if file.endswith(".json") else yaml.safe_load(text)
    except (OSError, yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput([reason("bad_file", problem=str(exc).splitlines()[0])]) from None
    result = actions.apply(ctx.engine, "register_ruleset", {"ruleset": data, "use": use}, actor=actor, process=process)
    click.echo(f"{result['ruleset']} v{result['version']}: {result['rules']} " + ("reglas" if ctx.lang == "es" else "rules"))


main.add_command(reminders)
main.add_command(worker)

if __name__ == "__main__":  # pragma: no cover
    main()
