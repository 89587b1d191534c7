"""The language the command speaks, and click speaking it too.

The language of a run is ``--lang`` when it comes before the subcommand, else ``COCREA_LANG``,
else Spanish. It is known before click parses anything (``cocrea --help`` is printed while the
options are still being read), so :class:`Cocrea` reads it from the raw arguments when the
command starts and holds it for the whole run in :data:`LANG`.

Help texts stay English message ids where they are written (``help=D_("...")``) and are
translated when help is formatted: :class:`Command`, :class:`Group`, :class:`Option` and
:class:`Argument` translate ``help``, ``short_help``, prompts and metavars as they are read.
Click's own words ("Usage:", "Options:", errors, the password confirmation) come from its
``gettext`` calls; :func:`_speak_click` points those at the ``cli`` catalogue for the run's
language (outside a ``cocrea`` run they stay as click wrote them). :data:`CLICK_WORDS` lists
the ones translated, so they are in the catalogue.

Nothing heavy is imported here: ``cocrea --help`` needs click, i18n and this module only.
"""
from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

import click

from i18n import N_, NN_, gettext, lang_or_default, ngettext

#: The language of the current ``cocrea`` run (None outside one).
LANG: ContextVar[str | None] = ContextVar("cocrea_lang", default=None)


def current_lang() -> str:
    """The run's language; outside a run, ``COCREA_LANG`` or Spanish."""
    return LANG.get() or lang_or_default(os.environ.get("COCREA_LANG"))


def lang_of_args(args: list[str]) -> str:
    """``--lang`` given before the subcommand, else ``COCREA_LANG``, else Spanish."""
    chosen = os.environ.get("COCREA_LANG")
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--lang" and rest:
            chosen = rest.pop(0)
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
        elif arg == "--db" and rest:
            rest.pop(0)
        elif arg == "--" or not arg.startswith("-"):
            break  # the subcommand: its own options are its own
    return lang_or_default(chosen)


def tr(text: Any) -> Any:
    """An English help text, prompt or metavar in the run's language (None stays None)."""
    return gettext(current_lang(), text) if isinstance(text, str) and text else text


SHOW_HELP = N_("Show this message and exit.")


def translated(name: str) -> property:
    """A text of click's (help, prompt, metavar) kept as its English id and translated each time
    it is read, in the run's language."""
    key = f"_{name}"

    def read(self: Any) -> str | None:
        return tr(self.__dict__.get(key))

    def write(self: Any, value: str | None) -> None:
        self.__dict__[key] = value

    return property(read, write)


class Option(click.Option):
    """An option whose help, prompt and metavar are English ids translated when shown."""

    help = translated("help")
    prompt = translated("prompt")

    def make_metavar(self, ctx: click.Context) -> str:
        return tr(super().make_metavar(ctx))


class Argument(click.Argument):
    """An argument whose name in the usage line (``PROCESS``) is translated."""

    def make_metavar(self, ctx: click.Context) -> str:
        var = super().make_metavar(ctx)
        if self.metavar is None and self.name:
            name = self.name.upper()
            return var.replace(name, tr(name), 1)
        return tr(var)


class Command(click.Command):
    """A command whose help texts are English ids translated when help is formatted."""

    help = translated("help")
    short_help = translated("short_help")
    options_metavar = translated("options_metavar")

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        # click makes the help option once, in the language of that moment: say it in this run's
        opt = super().get_help_option(ctx)
        if opt is not None:
            opt.help = SHOW_HELP.render(current_lang())
        return opt


class Group(Command, click.Group):
    """A group of commands; its subcommands and subgroups are of these classes too."""

    command_class = Command

    subcommand_metavar = translated("subcommand_metavar")


Group.group_class = Group  # subgroups are Groups (not the root's class)


class Cocrea(Group):
    """The root command: fixes the run's language before anything is parsed."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        import sys

        raw = list(sys.argv[1:] if args is None else args)
        token = LANG.set(lang_of_args(raw))
        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        finally:
            LANG.reset(token)


def option(*decls: str, **attrs: Any):
    """``click.option`` with help, prompt and metavar translated when shown."""
    return click.option(*decls, cls=Option, **attrs)


def argument(*decls: str, **attrs: Any):
    return click.argument(*decls, cls=Argument, **attrs)


# --- click's own words ----------------------------------------------------------------------

#: What click says (its exact English) that a cocrea user may read; ``tests/test_cli_text.py``
#: checks each is still said by the installed click.
CLICK_WORDS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"),
    N_("Error: {message}"), N_("Try '{command} {option}' for help."), N_("Aborted!"),
    N_("Missing command."), N_("No such command {name!r}."), N_("No such option {name!r}."),
    NN_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_("Missing argument"), N_("Missing option"), N_("Missing parameter"), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    NN_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NN_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    N_("Option {name!r} does not take a value."),
    NN_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not readable."), N_("Could not open file {filename!r}: {message}"),
    N_("default: {default}"), N_("required"), N_("env var: {var}"),
    N_("Repeat for confirmation"), N_("Error: The two entered values do not match."),
    N_("Error: invalid input"),
)

#: Metavars of the usage lines: click's type names and the names of cocrea's arguments.
METAVARS = (
    N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("TEXT"), N_("INTEGER"), N_("FLOAT"), N_("FILE"),
    N_("PROCESS"), N_("HANDLE"), N_("DATE"), N_("EMAIL"),
)

_CLICK_MODULES = ("core", "exceptions", "formatting", "termui", "decorators", "parser", "types", "utils")


def _click_gettext(message: str) -> str:
    lang = LANG.get()
    return gettext(lang, message) if lang else message


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    lang = LANG.get()
    return ngettext(lang, singular, plural, n) if lang else (singular if n == 1 else plural)


def _speak_click() -> None:
    """Click's modules call ``_`` and ``ngettext`` (bound from :mod:`gettext` when imported);
    during a cocrea run they answer from the ``cli`` catalogue in the run's language."""
    import importlib

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext


_speak_click()
