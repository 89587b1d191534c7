"""``cocrea import`` and ``cocrea export``: files that arrive in bulk, each imported by one action
(``import_inputs``), tried first with ``--dry-run``, and the same files written back out.

While a file is imported, a progress bar on the terminal follows the bytes read from it (on
standard error, and only when that is a terminal: piped or logged output stays clean).
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

import click

from i18n import D_, gettext, ngettext

from .context import Ctx, fail, guard
from .text import Group, argument, option


@click.group("import", cls=Group, help=D_("Import what arrives in bulk (one action per file)."))
def import_group() -> None:
    pass


@click.group("export", cls=Group, help=D_("Write out, in the format the imports read back (CSV or XLSX)."))
def export_group() -> None:
    pass


class _Followed(io.RawIOBase):
    """A binary file whose reads move a progress bar."""

    def __init__(self, f: Any, bar: Any):
        self.f, self.bar = f, bar

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.f.readinto(b)
        self.bar.update(n)
        return n

    def seekable(self) -> bool:
        return self.f.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.f.seek(offset, whence)

    def tell(self) -> int:
        return self.f.tell()


def _apply_file(ctx: Ctx, action: str, path: str, payload: dict, actor: str, process: str, dry_run: bool) -> dict:
    """Apply ``action`` to the file at ``path``, with a progress bar on a terminal."""
    from workflow import actions

    payload = {"name": Path(path).name, **payload}
    with open(path, "rb", buffering=0) as f:
        if not sys.stderr.isatty():
            return actions.apply(ctx.engine, action, {**payload, "file": f}, actor=actor, process=process,
                                 dry_run=dry_run)
        with click.progressbar(length=os.fstat(f.fileno()).st_size, file=sys.stderr,
                               label=Path(path).name) as bar:
            return actions.apply(ctx.engine, action, {**payload, "file": _Followed(f, bar)}, actor=actor,
                                 process=process, dry_run=dry_run)


def _problems(ctx: Ctx, result: dict) -> None:
    """A dry run's problems, one a line, as a refusal names them; exit as the import would."""
    from stages.errors import InvalidInput, Refused

    problems = result["problems"]
    if problems:
        invalid = any(r.code in ("invalid_field", "not_found") for r in problems)
        fail(ctx, (InvalidInput if invalid else Refused)(problems),
             prefix=gettext(ctx.lang, "Dry run, nothing written. "))


@import_group.command("inputs", help=D_("Import consultation inputs from a CSV or XLSX file (its first row names "
                                        "the columns, those of record_input, key required). Importing the same "
                                        "file again adds nothing. With --dry-run, every row's problem and what "
                                        "would be written, writing nothing."))
@argument("process")
@argument("file", type=click.Path(exists=True, dir_okay=False))
@option("--as", "actor", required=True, metavar=D_("HANDLE"), help=D_("who does it (a coordinator)"))
@option("--channel", metavar=D_("CHANNEL"), help=D_("channel of the rows that do not name one"))
@option("--dry-run", is_flag=True, help=D_("check every row and tell what would be written; write nothing"))
@click.pass_obj
@guard
def import_inputs(ctx: Ctx, process: str, file: str, actor: str, channel: str | None, dry_run: bool) -> None:
    result = _apply_file(ctx, "import_inputs", file, {"channel": channel} if channel else {}, actor, process, dry_run)
    if dry_run:
        click.echo(gettext(ctx.lang, "Dry run, nothing written. Rows read: {rows}; inputs it would add: {added}; "
                                     "already present: {present}; rows with problems: {bad_rows}.").format(**result))
        for row, key in result["adding"]:
            click.echo("  + " + gettext(ctx.lang, "row {row}: input {key}").format(row=row, key=key))
        if result["added"] > len(result["adding"]):
            click.echo("  " + ngettext(ctx.lang, "... and {count} more input", "... and {count} more inputs",
                                       result["added"] - len(result["adding"])).format(
                count=result["added"] - len(result["adding"])))
        _problems(ctx, result)
        return
    click.echo(gettext(ctx.lang, "{import}: rows read: {rows}; inputs added: {added}; already present: {present}.")
               .format(**result))
    click.echo(gettext(ctx.lang, "File SHA-256: {sha}\nMerkle root of its rows: {root}").format(
        sha=result["file_sha256"], root=result["merkle_root"]))


@import_group.command("prove", help=D_("Prove that an input was a row of an imported file: its digest, its "
                                       "Merkle audit path and the root recorded in the import's audit entry "
                                       "(RFC 6962; any implementation can check them)."))
@argument("process")
@argument("key")
@option("--import", "import_key", metavar=D_("KEY"), help=D_("the import to prove it in (default: the one that "
                                                              "added it)"))
@option("--json", "as_json", is_flag=True, help=D_("print the proof as JSON"))
@click.pass_obj
@guard
def import_prove(ctx: Ctx, process: str, key: str, import_key: str | None, as_json: bool) -> None:
    import json

    from reads.imports import prove

    proof = prove(ctx.engine, process, key, import_key)
    if as_json:
        click.echo(json.dumps(proof, ensure_ascii=False, indent=1))
    else:
        click.echo(gettext(ctx.lang, "Input {input}: leaf {index} (counted from 0) of the {size} rows of {import} "
                                     "({file_name}, SHA-256 {file_sha256}), audit entry {audit_seq}.").format(**proof))
        click.echo(gettext(ctx.lang, "Digest of the row (leaf): {leaf}").format(**proof))
        click.echo(gettext(ctx.lang, "Audit path, from the leaf up:"))
        for p in proof["path"]:
            click.echo(f"  {p}")
        click.echo(gettext(ctx.lang, "Merkle root in the audit entry: {merkle_root}").format(**proof))
        click.echo(gettext(ctx.lang, "The path leads to the root: verified.") if proof["verified"]
                   else gettext(ctx.lang, "The path does NOT lead to the root."))
    if not proof["verified"]:
        sys.exit(4)


@export_group.command("inputs", help=D_("Write the process's inputs to FILE (.csv or .xlsx) in the format "
                                        "'import inputs' reads back, without the citizens' contact data and "
                                        "without hidden inputs."))
@argument("process")
@argument("file", type=click.Path(dir_okay=False, writable=True))
@click.pass_obj
@guard
def export_inputs(ctx: Ctx, process: str, file: str) -> None:
    from reads.imports import export_inputs as write
    from storage.sheets import format_of

    fmt = format_of(file)
    with open(file, "wb") as f:
        count = write(ctx.reader, process, f, fmt)  # plain rows through the driver when it can
    click.echo(ngettext(ctx.lang, "{count} input written to {file}.", "{count} inputs written to {file}.",
                        count).format(count=count, file=file))


@export_group.command("activities", help=D_("Write an agency's activities, with their current progress, to FILE "
                                            "(.csv or .xlsx): the sheet its liaison fills and uploads with "
                                            "'import progress'."))
@argument("process")
@argument("file", type=click.Path(dir_okay=False, writable=True))
@option("--agency", required=True, metavar=D_("KEY"), help=D_("the agency whose activities are written"))
@click.pass_obj
@guard
def export_activities(ctx: Ctx, process: str, file: str, agency: str) -> None:
    from reads.imports import export_activities as write
    from storage.sheets import format_of

    fmt = format_of(file)
    out = io.BytesIO()
    count = write(ctx.engine, process, agency, out, fmt)
    Path(file).write_bytes(out.getvalue())
    click.echo(ngettext(ctx.lang, "{count} activity written to {file}.", "{count} activities written to {file}.",
                        count).format(count=count, file=file))


@import_group.command("progress", help=D_("Report the progress of many activities from an agency's sheet (CSV or "
                                          "XLSX, as 'export activities' writes it), each row held to the rules of "
                                          "report_progress. With --dry-run, every change (before and after) and "
                                          "every problem with its row, writing nothing."))
@argument("process")
@argument("file", type=click.Path(exists=True, dir_okay=False))
@option("--as", "actor", required=True, metavar=D_("HANDLE"), help=D_("who does it (a liaison, or a coordinator)"))
@option("--dry-run", is_flag=True, help=D_("check every row and tell what would be written; write nothing"))
@click.pass_obj
@guard
def import_progress(ctx: Ctx, process: str, file: str, actor: str, dry_run: bool) -> None:
    result = _apply_file(ctx, "import_progress", file, {}, actor, process, dry_run)
    for change in result["changes"]:
        before, after = change["before"], change["after"]
        click.echo("  " + gettext(ctx.lang, "row {row}: {activity}: {before_status} {before_percent} % -> "
                                            "{status} {percent} % ({reported_on})").format(
            row=change["row"], activity=change["activity"], before_status=before["status"],
            before_percent=before["percent"], **after))
    line = (gettext(ctx.lang, "Dry run, nothing written. Rows read: {rows}; changes: {changed}; unchanged: "
                              "{unchanged}.") if dry_run
            else gettext(ctx.lang, "Progress reported. Rows read: {rows}; changes: {changed}; unchanged: {unchanged}."))
    click.echo(line.format(**result))
    if dry_run:
        _problems(ctx, result)
    else:
        click.echo(gettext(ctx.lang, "File SHA-256: {sha}").format(sha=result["file_sha256"]))
