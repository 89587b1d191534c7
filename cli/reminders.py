"""``cocrea reminders plan|send|status`` and ``cocrea worker``: parse, call, print.

Kinds of reminder are shown by their titles (``stages.reminders``), statuses in words; the
notifications and the reads are imported inside the commands.
"""
from __future__ import annotations

import datetime as dt
import json

import click

from i18n import D_, NC_, NN_, gettext, ngettext
from stages.errors import invalid_field

from .context import Ctx, guard
from .text import Command, Group, argument, option

#: Outbox statuses as counts people read (``reminders status``).
OUTBOX_COUNTS = {
    "pending": NN_("{count} queued", "{count} queued"),
    "claimed": NN_("{count} being sent", "{count} being sent"),
    "sent": NN_("{count} sent", "{count} sent"),
    "failed": NN_("{count} failed", "{count} failed"),
    "cancelled": NN_("{count} cancelled", "{count} cancelled"),
}
#: ``reminders send``: what one sweep did.
SENT = (("sent", OUTBOX_COUNTS["sent"]), ("retried", NN_("{count} to retry", "{count} to retry")),
        ("failed", OUTBOX_COUNTS["failed"]), ("cancelled", OUTBOX_COUNTS["cancelled"]))
NEWLY_QUEUED = NN_("{count} newly queued", "{count} newly queued")
NEXT_ATTEMPT = NC_("reminder", "next attempt {at}")


def _config(path: str | None):
    from notifications.config import load

    return load(path)  # a setting that cannot be used: ConfigError, exit 5


def _at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise invalid_field("--at", "not_a_date", value=value) from None
    if when.tzinfo is None:
        raise invalid_field("--at", "needs_timezone", value=value)
    return when


def kind_title(kind: str, lang: str) -> str:
    from stages.reminders import BY_KIND

    return BY_KIND[kind].title.render(lang) if kind in BY_KIND else kind


@click.group(cls=Group, help=D_("Deadline reminders: what is due, sending, delivery status."))
def reminders() -> None:
    pass


@reminders.command("plan", help=D_("What would be sent, and why. And why not: suspended, already sent, not yet due..."))
@argument("process")
@option("--at", "at", metavar="ISO", help=D_("plan as of this moment (default: now), e.g. 2026-09-29T10:00-06:00"))
@option("--due", "only_due", is_flag=True, help=D_("only what would be sent now"))
@option("--json", "as_json", is_flag=True, help=D_("machine-readable output"))
@click.pass_obj
@guard
def plan_cmd(ctx: Ctx, process: str, at: str | None, only_due: bool, as_json: bool) -> None:
    from reads import reminders as rem

    result = rem.plan(ctx.reader, process, _at(at), ctx.lang)
    if only_due:
        result["reminders"] = [r for r in result["reminders"] if r["status"] == "due"]
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    rows = sorted(result["reminders"], key=lambda r: (r["due_on"], r["kind"], r["recipient"]))
    if not rows:
        click.echo(gettext(ctx.lang, "Nothing to send now.") if only_due else gettext(ctx.lang, "No reminders to plan."))
    titles = {r["kind"]: kind_title(r["kind"], ctx.lang) for r in rows}
    wide = max((len(t) for t in titles.values()), default=0)
    for r in rows:
        mark = "→" if r["status"] == "due" else "✓" if r["status"] == "sent" else "·"
        click.echo(f"{mark} {r['due_on']}  {titles[r['kind']]:<{wide}}  {r['recipient']:<14} {r['subject'][:40]:<40}  "
                   f"{r['why']}")
    if result["changed"]:
        click.echo("\n" + gettext(ctx.lang, "Settings changed from the defaults") + ": "
                   + ", ".join(f"{k} = {result['settings'][k]}" for k in result["changed"]))


@reminders.command("send", help=D_("Run one sweep now. Queue what is due, deliver everything ready."))
@argument("process", required=False)
@option("--config", "config_path", metavar=D_("FILE"), help=D_("mail settings (TOML or YAML); default COCREA_CONFIG"))
@option("--at", "at", metavar="ISO", hidden=True, help=D_("run as of this moment (scripts and tests)"))
@option("--json", "as_json", is_flag=True, help=D_("machine-readable output"))
@click.pass_obj
@guard
def send_cmd(ctx: Ctx, process: str | None, config_path: str | None, at: str | None, as_json: bool) -> None:
    from notifications.worker import send_now
    from reads import reminders as rem
    from stages.clock import FixedClock, SystemClock
    from workflow.retention import purge_due

    when = _at(at)
    result = send_now(ctx.engine, _config(config_path), clock=FixedClock(when) if when else SystemClock(),
                      process=process, process_id=rem.process_id(ctx.engine, process) if process else None,
                      purge=purge_due)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    counts = ", ".join(msg.render(ctx.lang, count=result.get(key, 0)) for key, msg in SENT)
    queued = NEWLY_QUEUED.render(ctx.lang, count=result.get("queued", 0))
    click.echo(f"{counts} ({queued}) — {result['transport']}")


@reminders.command("status", help=D_("Delivery status. Counts, failures with the server's reply, retries pending."))
@argument("process", required=False)
@option("--json", "as_json", is_flag=True, help=D_("machine-readable output"))
@click.pass_obj
@guard
def status_cmd(ctx: Ctx, process: str | None, as_json: bool) -> None:
    from reads import reminders as rem

    result = rem.status(ctx.reader, process)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if not result["counts"]:
        click.echo(gettext(ctx.lang, "The outbox is empty."))
        return
    click.echo(gettext(ctx.lang, "Reminders by kind and status") + ":")
    for kind, by_status in sorted(result["counts"].items()):
        click.echo(f"  {kind_title(kind, ctx.lang)}: " + ", ".join(
            OUTBOX_COUNTS[s].render(ctx.lang, count=n) if s in OUTBOX_COUNTS else f"{s} {n}"
            for s, n in sorted(by_status.items())))
    for head, items in ((gettext(ctx.lang, "Failed"), result["failed"]),
                        (gettext(ctx.lang, "Retrying"), result["retrying"])):
        if items:
            click.echo(f"\n{head}:")
            for r in items:
                tries = ngettext(ctx.lang, "{count} attempt", "{count} attempts", r["attempts"]).format(count=r["attempts"])
                after = f", {NEXT_ATTEMPT.render(ctx.lang, at=r['next_attempt_at'])}" if r["next_attempt_at"] else ""
                click.echo(f"  {r['key']}  ({tries}{after})  {r['error']}")


@click.command(cls=Command, help=D_("Send reminders as they come due. A sweep and a delivery every --every seconds."))
@option("--every", default=60.0, show_default=True, help=D_("seconds between ticks"))
@option("--once", is_flag=True, help=D_("one tick (sweep and delivery), then exit"))
@option("--config", "config_path", metavar=D_("FILE"), help=D_("mail settings (TOML or YAML); default COCREA_CONFIG"))
@option("--concurrency", type=int, help=D_("parallel SMTP connections (default from the settings)"))
@click.pass_obj
@guard
def worker(ctx: Ctx, every: float, once: bool, config_path: str | None, concurrency: int | None) -> None:
    ctx.creating()
    import logging
    import sys

    from notifications.worker import Worker
    from stages.clock import SystemClock
    from workflow.retention import purge_due

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    logging.getLogger("alembic").setLevel(logging.WARNING)  # nor per step of the schema's check on start
    w = Worker(ctx.engine, _config(config_path), clock=SystemClock(), every=every, concurrency=concurrency,
               purge=purge_due)
    if once:
        click.echo(json.dumps(w.tick(), ensure_ascii=False))
        return
    started = gettext(ctx.lang, "Sending reminders as they come due ({transport}); Ctrl-C to stop.")
    w.run(on_start=lambda: click.echo(started.format(transport=w.transport.describe()), err=True))
