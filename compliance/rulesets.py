"""Rule sets as versioned data: which rules, at which level, with which settings.

Built in: ``ogp-2017`` (the 2017 standards the guide cites, reported by phase of the cycle
and component), ``ogp-2022`` (the five standards in force since 2022, with their minimum
requirements) and ``inai-local`` (INAI's local exercises as the guide describes them). A
secretariat may register its own (``register_ruleset``): it names a base, adds or removes
rules, changes levels and settings. A process names the rule set it is checked against
(``Process.ruleset``) and may override settings again (``configure_compliance``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from i18n import Given, LANGS, Msg, N_, Verbatim
from stages.errors import Reason
from stages.errors import RuleSetInvalid

from . import settings as st
from .reasons import compliance_reason
from .rules import BY_ID, RULES

GROUPINGS = ("standard", "phase_component")
FIELDS = ("name", "version", "title", "base", "group_by", "rules", "add", "remove", "levels", "settings")
LEVELS = ("basic", "advanced")
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    title: Msg
    group_by: str
    rules: tuple[tuple[str, str], ...]  # (rule id, level), in report order
    settings: dict[str, Any] = field(default_factory=dict)
    source: str = "builtin"
    base: str | None = None

    def level(self, rule_id: str) -> str:
        return dict(self.rules)[rule_id]

    def as_dict(self, lang: str = "es") -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "title": self.title.render(lang), "group_by": self.group_by,
                "source": self.source, "base": self.base}


def _all(exclude: tuple[str, ...] = (), levels: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    levels = levels or {}
    return tuple((r.id, levels.get(r.id, r.level)) for r in RULES if r.id not in exclude)


BUILTIN: dict[str, RuleSet] = {rs.name: rs for rs in (
    RuleSet("ogp-2017", "2017.1",
            N_("OGP Participation and Co-Creation Standards (2017)"),
            "phase_component", _all(exclude=("declaration-signed",)),
            {**st.defaults(), "plan_durations_months": [24]}),
    RuleSet("ogp-2022", "2022.1",
            N_("OGP Participation and Co-Creation Standards (in force since 2022)"),
            "standard", _all(exclude=("declaration-signed",)), st.defaults()),
    RuleSet("inai-local", "2019.1",
            N_("INAI local open government exercises (2019 guide)"),
            "standard", _all(levels={"minutes-published": "basic"}),
            {**st.defaults(), "plan_durations_months": [12]}),
)}


def _conf(process: Any) -> dict:
    return dict((getattr(process, "settings", None) or {}).get("compliance") or {})


def known_names(process: Any = None) -> list[str]:
    return sorted(BUILTIN) + sorted((_conf(process).get("rulesets") or {}) if process is not None else [])


def resolve(process: Any, name: str | None = None) -> RuleSet:
    """The rule set a process is checked against, with the process's setting overrides."""
    conf = _conf(process)
    name = name or getattr(process, "ruleset", None) or "ogp-2022"
    custom = (conf.get("rulesets") or {}).get(name)
    if custom is not None:
        rs = parse(custom)
    elif name in BUILTIN:
        rs = BUILTIN[name]
    else:
        raise RuleSetInvalid([compliance_reason("compliance_unknown_ruleset", ruleset=name,
                                                known=", ".join(known_names(process)))])
    overrides = conf.get("settings") or {}
    return replace(rs, settings={**rs.settings, **overrides}) if overrides else rs


def gate_enabled(process: Any) -> bool:
    return bool(_conf(process).get("gate"))


def _bad(field: str, problem: str, **details: Any) -> Reason:
    """What is wrong in a rule set's definition: ``problem`` (a key of ``reasons.PROBLEMS``) in ``field``."""
    return compliance_reason("compliance_bad_ruleset", field=field, problem=problem, **details)


def _rule_list(value: Any, where: str, problems: list[Reason]) -> list[tuple[str, str | None]]:
    if not isinstance(value, list):
        problems.append(_bad(where, "not_a_list"))
        return []
    out = []
    for item in value:
        rid, level = (item, None) if isinstance(item, str) else (
            (item.get("id"), item.get("level")) if isinstance(item, dict) else (None, None))
        if rid not in BY_ID:
            problems.append(compliance_reason("compliance_unknown_rule", rule=rid, known=", ".join(BY_ID)))
            continue
        if level not in (None, *LEVELS):
            problems.append(_bad(where, "bad_level", rule=rid, value=level))
            continue
        out.append((rid, level))
    return out


def parse(data: Any) -> RuleSet:
    """A custom rule set from its definition (as read from YAML/JSON); raises with every problem."""
    problems: list[Reason] = []
    if not isinstance(data, dict):
        raise RuleSetInvalid([_bad("ruleset", "not_a_mapping", known=", ".join(FIELDS))])
    for key in sorted(set(data) - set(FIELDS), key=str):
        problems.append(_bad(str(key), "unknown_field", known=", ".join(FIELDS)))
    name, version = data.get("name"), data.get("version")
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(_bad("name", "bad_name"))
    elif name in BUILTIN:
        problems.append(_bad("name", "builtin_name", value=name))
    if not isinstance(version, (str, int, float)) or str(version).strip() == "":
        problems.append(_bad("version", "required"))
    base_name = data.get("base")
    if base_name is not None and base_name not in BUILTIN:
        problems.append(_bad("base", "unknown_base", value=base_name, known=", ".join(BUILTIN)))
    base = BUILTIN.get(base_name) if base_name else None
    title = data.get("title") or name or "-"
    if isinstance(title, dict):
        title = Given({lang: title.get(lang) for lang in LANGS} | {"es": title.get("es") or title.get("en") or name})
    elif isinstance(title, str):
        title = Verbatim(title)
    else:
        problems.append(_bad("title", "bad_title"))
        title = Verbatim(str(name))
    group_by = data.get("group_by") or (base.group_by if base else "standard")
    if group_by not in GROUPINGS:
        problems.append(_bad("group_by", "not_allowed_value", value=group_by, known=", ".join(GROUPINGS)))
    if "rules" in data:
        chosen = _rule_list(data["rules"], "rules", problems)
    elif base is not None:
        chosen = [(rid, lvl) for rid, lvl in base.rules]
    else:
        problems.append(_bad("rules", "rules_or_base"))
        chosen = []
    chosen += _rule_list(data.get("add", []), "add", problems)
    removed = {rid for rid, _ in _rule_list(data.get("remove", []), "remove", problems)}
    levels = data.get("levels") or {}
    if not isinstance(levels, dict):
        problems.append(_bad("levels", "not_a_mapping_of_levels"))
        levels = {}
    for rid, level in levels.items():
        if rid not in BY_ID:
            problems.append(_bad("levels", "unknown_rule", rule=rid))
        elif level not in LEVELS:
            problems.append(_bad("levels", "bad_level", rule=rid, value=level))
    seen: dict[str, str] = {}
    for rid, level in chosen:
        if rid not in removed:
            seen[rid] = levels.get(rid) or level or BY_ID[rid].level
    if not seen and not problems:
        problems.append(_bad("rules", "no_rules"))
    good, bad = st.validate(data.get("settings") or {}, "settings")
    problems += bad
    if problems:
        raise RuleSetInvalid(problems)
    order = [r.id for r in RULES]
    rules = tuple(sorted(seen.items(), key=lambda x: order.index(x[0])))
    base_settings = dict(base.settings) if base else st.defaults()
    return RuleSet(name, str(version), title, group_by, rules, {**base_settings, **good}, "custom", base_name)
