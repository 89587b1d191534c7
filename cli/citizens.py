"""``cocrea citizen``: a citizen's personal data, on their request (ARCO rights).

``data`` shows what a process keeps about an email (access); ``erase`` erases it (cancellation,
the ``erase_contact`` action); ``purge`` erases every contact of a closed process once the
retention period is over (``purge_contact_data``). Personal data is printed only here, to the
coordinator who runs the command.
"""
from __future__ import annotations

import json

import click

from i18n import D_, gettext

from .context import Ctx, guard
from .text import Group, argument, option


@click.group("citizen", cls=Group, help=D_("A citizen's personal data on their request (ARCO): see it, erase it."))
def citizen() -> None:
    pass


@citizen.command("data", help=D_("What a process keeps about an email: the inputs and the contact (right of access)."))
@argument("process")
@argument("email")
@click.pass_obj
@guard
def data_cmd(ctx: Ctx, process: str, email: str) -> None:
    from reads.participation import personal_data

    click.echo(json.dumps(personal_data(ctx.engine, process, email), ensure_ascii=False, indent=1))


@citizen.command("erase", help=D_("Erase a citizen's personal data on their request; the inputs' text stays."))
@argument("process")
@option("--email", help=D_("the email the person gave"))
@option("--input", "input_key", metavar=D_("KEY"), help=D_("an input of the person (when no email was given)"))
@option("--as", "actor", required=True, metavar=D_("HANDLE"), help=D_("the coordinator who does it"))
@click.pass_obj
@guard
def erase_cmd(ctx: Ctx, process: str, email: str | None, input_key: str | None, actor: str) -> None:
    from workflow import actions

    payload = {k: v for k, v in (("email", email), ("input", input_key)) if v}
    result = actions.apply(ctx.engine, "erase_contact", payload, actor=actor, process=process)
    click.echo(gettext(ctx.lang, "Personal data erased from {count} inputs.").format(count=result["inputs"]))


@citizen.command("purge", help=D_("Erase every citizen's contact data of a closed process once its retention "
                                  "period is over."))
@argument("process")
@option("--as", "actor", required=True, metavar=D_("HANDLE"), help=D_("the coordinator who does it"))
@click.pass_obj
@guard
def purge_cmd(ctx: Ctx, process: str, actor: str) -> None:
    from workflow import actions

    result = actions.apply(ctx.engine, "purge_contact_data", {}, actor=actor, process=process)
    click.echo(gettext(ctx.lang, "Personal data erased from {count} inputs.").format(count=result["inputs"]))
