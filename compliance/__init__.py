"""Compliance with OGP's participation and co-creation standards, checked from a process's
own records. Pure: rules read :class:`stages.Records`, never a database.

Imports ``stages`` only (and ``storage`` nowhere yet); ``workflow`` wires it in (the
compliance gate, the ``cocrea check`` command, reports as of a past date).
"""
from .model import (
           MET,
           NOT_APPLICABLE,
           NOT_ENOUGH_DATA,
           NOT_MET,
           STATUSES,
           Item,
           Result,
           Rule,
)
from .render import FORMATS, render
from .report import Report, run
from .rules import BY_ID, RULES
from .rulesets import BUILTIN, RuleSet, parse, resolve

__all__ = ["MET", "NOT_MET", "NOT_APPLICABLE", "NOT_ENOUGH_DATA", "STATUSES", "Item", "Result", "Rule", "RULES",
           "BY_ID", "BUILTIN", "RuleSet", "parse", "resolve", "Report", "run", "render", "FORMATS"]
