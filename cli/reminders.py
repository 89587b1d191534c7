"""``cocrea reminders plan|send|status`` and ``cocrea worker``: parse, call, print."""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys

import click

from notifications.config import load
from notifications.worker import Worker, send_now
from reads import reminders as rem
from stages.clock import FixedClock, SystemClock
from stages.errors import invalid_field

from .context import Ctx, guard

LABELS = {
    "es": {"none": "No hay avisos que planear.", "none_due": "No hay nada que enviar ahora.",
           "counts": "Avisos por tipo y estado", "failed": "Fallidos", "retrying": "En reintento",
           "sent": "{sent} enviados, {retried} por reintentar, {failed} fallidos, {cancelled} cancelados "
                   "({queued} nuevos en cola) — {transport}",
           "empty": "La bandeja de salida está vacía.",
           "changed": "Ajustes cambiados respecto a los predeterminados",
           "worker": "Trabajador iniciado ({0}); Ctrl-C para detener."},
    "en": {"none": "No reminders to plan.", "none_due": "Nothing to send now.",
           "counts": "Reminders by kind and status", "failed": "Failed", "retrying": "Retrying",
           "sent": "{sent} sent, {retried} to retry, {failed} failed, {cancelled} cancelled "
                   "({queued} newly queued) — {transport}",
           "empty": "The outbox is empty.",
           "changed": "Settings changed from the defaults",
           "worker": "Worker started ({0}); Ctrl-C to stop."},
}


def _t(ctx: Ctx, key: str, *args, **kw) -> str:
    return LABELS[ctx.lang][key].format(*args, **kw)


def _config(path: str | None):
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


@click.group()
def reminders() -> None:
    """Deadline reminders: what is due, sending, delivery status."""


@reminders.command("plan")
@click.argument("process")
@click.option("--at", "at", metavar="ISO", help="plan as of this moment (default: now), e.g. 2026-09-29T10:00-06:00")
@click.option("--due", "only_due", is_flag=True, help="only what would be sent now")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@guard
def plan_cmd(ctx: Ctx, process: str, at: str | None, only_due: bool, as_json: bool) -> None:
    """What would be sent and why (and why not: suspended, already sent, not yet due...)."""
    result = rem.plan(ctx.engine, process, _at(at), ctx.lang)
    if only_due:
        result["reminders"] = [r for r in result["reminders"] if r["status"] == "due"]
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    rows = sorted(result["reminders"], key=lambda r: (r["due_on"], r["kind"], r["recipient"]))
    if not rows:
        click.echo(_t(ctx, "none_due" if only_due else "none"))
    for r in rows:
        mark = "→" if r["status"] == "due" else "✓" if r["status"] == "sent" else "·"
        click.echo(f"{mark} {r['due_on']}  {r['kind']:<22} {r['recipient']:<14} {r['subject'][:40]:<40}  "
                   f"{r['status']}: {r['why']}")
    if result["changed"]:
        click.echo(f"\n{_t(ctx, 'changed')}: " + ", ".join(f"{k}={result['settings'][k]}" for k in result["changed"]))


@reminders.command("send")
@click.argument("process", required=False)
@click.option("--config", "config_path", metavar="FILE", help="mail settings (TOML or YAML); default COCREA_CONFIG")
@click.option("--at", "at", metavar="ISO", hidden=True, help="run as of this moment (scripts and tests)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@guard
def send_cmd(ctx: Ctx, process: str | None, config_path: str | None, at: str | None, as_json: bool) -> None:
    """Run one sweep now: queue what is due, deliver everything ready."""
    when = _at(at)
    result = send_now(ctx.engine, _config(config_path), clock=FixedClock(when) if when else SystemClock(),
                      process=process, process_id=rem.process_id(ctx.engine, process) if process else None)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(_t(ctx, "sent", **result))


@reminders.command("status")
@click.argument("process", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@guard
def status_cmd(ctx: Ctx, process: str | None, as_json: bool) -> None:
    """Delivery status: counts, failures with the server's reply, retries pending."""
    result = rem.status(ctx.engine, process)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if not result["counts"]:
        click.echo(_t(ctx, "empty"))
        return
    click.echo(_t(ctx, "counts") + ":")
    for kind, by_status in sorted(result["counts"].items()):
        click.echo(f"  {kind:<22} " + ", ".join(f"{s} {n}" for s, n in sorted(by_status.items())))
    for label, items in (("failed", result["failed"]), ("retrying", result["retrying"])):
        if items:
            click.echo(f"\n{_t(ctx, label)}:")
            for r in items:
                click.echo(f"  {r['key']}  ({r['attempts']}×, {r['next_attempt_at']})  {r['error']}")


@click.command()
@click.option("--every", default=60.0, show_default=True, help="seconds between ticks")
@click.option("--once", is_flag=True, help="one tick (sweep and delivery), then exit")
@click.option("--config", "config_path", metavar="FILE", help="mail settings (TOML or YAML); default COCREA_CONFIG")
@click.option("--concurrency", type=int, help="parallel SMTP connections (default from the settings)")
@click.pass_obj
@guard
def worker(ctx: Ctx, every: float, once: bool, config_path: str | None, concurrency: int | None) -> None:
    """Send reminders as they come due: a sweep and a delivery every --every seconds."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    w = Worker(ctx.engine, _config(config_path), clock=SystemClock(), every=every, concurrency=concurrency)
    if once:
        click.echo(json.dumps(w.tick(), ensure_ascii=False))
        return
    w.run(on_start=lambda: click.echo(_t(ctx, "worker", w.transport.describe()), err=True))
