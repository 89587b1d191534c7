"""The report as text (terminal), JSON, Markdown or a publishable HTML page (es by default)."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from i18n import lang_or_default, translations
from stages import vocabulary

from .messages import COMPONENT, COMPONENT_SHORT, IRM, LABELS, LEVEL, PHASE, PHASE_SHORT, STATUS
from .model import COMPONENTS, PHASES, STATUSES, show
from .report import Report

if TYPE_CHECKING:  # jinja2 is imported when an HTML report is made: commands that never make one start faster
    from jinja2 import Environment

FORMATS = ("text", "json", "markdown", "html")
ICON = {"met": "✓", "not_met": "✗", "not_applicable": "–", "not_enough_data": "?"}
EMOJI = {"met": "✅", "not_met": "❌", "not_applicable": "➖", "not_enough_data": "❔"}
TEMPLATES = Path(__file__).parent / "templates"


def render(report: Report, fmt: str = "text", lang: str = "es", back: str | None = None) -> str:
    """``report`` as ``fmt`` (text, markdown, html, json); ``back``: for HTML on the site, the
    address of the process's page, linked at the top (a published file stands alone without it)."""
    data = report.as_dict(lang)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return markdown(data, lang)
    if fmt == "html":
        return html(data, lang, back)
    return text(data, lang)


def _l(key: str, lang: str, **kw: Any) -> str:
    return show(LABELS[key], lang, kw)


def item_text(i: dict, lang: str) -> str:
    parts = [i["text"]]
    if i.get("date"):
        parts.append(f"({i['date']})")
    if i.get("note"):
        parts.append(f"— {i['note']}")
    if i.get("ref"):
        parts.append(f"<{i['ref']}>")
    return " ".join(parts)


def _items(items: list, total: int, lang: str) -> list[str]:
    out = [item_text(i, lang) for i in items]
    if total > len(items):
        out.append(_l("more", lang, n=total - len(items)))
    return out


def _stage(data: dict, lang: str) -> str:
    p = data["process"]
    if p["stage"] == "closed":
        return _l("closed", lang)
    if p["stage"] == "suspended":
        return _l("suspended", lang, stage=p["suspended_from"])
    return p.get("stage_title") or vocabulary.label("stage", p["stage"], lang)


def _contrary_lines(data: dict, lang: str) -> list[str]:
    c = data["contrary_to_process"]
    lines = [_l("contrary_yes" if c["flag"] else "contrary_no", lang)]
    lines += [f"  {x['message']}" for x in c["causes"]]
    if c["procedural_review"]:
        lines.append("  " + _l("review", lang))
    return lines


def text(data: dict, lang: str = "es") -> str:
    rs, p = data["ruleset"], data["process"]
    out = [_l("title", lang), f"{p['name']} [{p['slug']}] · {_l('stage', lang)}: {_stage(data, lang)}",
           f"{_l('ruleset', lang)}: {rs['title']}, {rs['name']} v{rs['version']} · {_l('as_of', lang)} {data['as_of_date']}",
           "", data["summary_line"], "", f"{_l('contrary', lang)}:", *("  " + x for x in _contrary_lines(data, lang)),
           "", f"{_l('governance', lang)}: {data['governance_record']['line']}"]
    for g in data["groups"]:
        out += ["", f"== {g['title']} =="]
        for r in g["rules"]:
            pending = f" ({r['pending_note']})" if r.get("pending_note") else ""
            out.append(f"  [{ICON[r['status']]}] {r['title']} ({r['level_label']}): {r['status_label']}{pending} · {r['id']}")
            out.append(f"      {r['summary']}")
            for label, key, total in (("evidence", "evidence", "evidence_total"), ("missing", "missing", "missing_total")):
                lines = _items(r[key], r[total], lang)
                if lines:
                    out.append(f"      {_l(label, lang)}: " + "; ".join(lines))
            if r["next_step"]:
                out.append(f"      {_l('next', lang)}: {r['next_step']}")
    if data["commitments"]:
        out += ["", f"== {_l('commitments', lang)} =="]
        for c in data["commitments"]:
            fields = "; ".join(f"{IRM[k].render(lang)}: {v['label'] or _l('not_recorded', lang)} [{v['source_label']}]"
                               for k, v in c["fields"].items() if v["source"] == "recorded" or v["label"])
            amb = c["ambition"]["level_label"] or "-"
            out.append(f"  {c['key']} {c['title']} · {_l('ambition', lang)}: {amb}")
            out.append(f"      {fields}")
    return "\n".join(out) + "\n"


def _cell(value: Any) -> str:
    return str(value or "").replace("|", "\\|").replace("\n", " ")


def markdown(data: dict, lang: str = "es") -> str:
    rs, p = data["ruleset"], data["process"]
    out = [f"# {_l('title', lang)}", "",
           f"**{_cell(p['name'])}** (`{p['slug']}`) · {_l('stage', lang)}: {_stage(data, lang)} · "
           f"{_l('ruleset', lang)}: {rs['name']} v{rs['version']} · {_l('as_of', lang)} {data['as_of_date']}", "",
           f"> {data['summary_line']}", "", f"## {_l('contrary', lang)}", ""]
    out += [x.strip() if not x.startswith("  ") else f"- {x.strip()}" for x in _contrary_lines(data, lang)]
    out += ["", f"## {_l('governance', lang)}", "", data["governance_record"]["line"]]
    for g in data["groups"]:
        out += ["", f"## {_cell(g['title'])}", "",
                f"| {_l('status', lang)} | {_l('requirement', lang)} | {_l('level', lang)} | {_l('summary', lang)} | {_l('next', lang)} |",
                "|---|---|---|---|---|"]
        for r in g["rules"]:
            status = f"{EMOJI[r['status']]} {r['status_label']}" + (f" ({r['pending_note']})" if r.get("pending_note") else "")
            out.append(f"| {_cell(status)} | **{_cell(r['title'])}** `{r['id']}` | {r['level_label']} | {_cell(r['summary'])} "
                       f"| {_cell(r['next_step'])} |")
        out.append("")
        for r in g["rules"]:
            ev, mi = _items(r["evidence"], r["evidence_total"], lang), _items(r["missing"], r["missing_total"], lang)
            if ev or mi:
                out.append(f"- **{_cell(r['title'])}** `{r['id']}`")
                out += [f"  - {_l('evidence', lang)}: {_cell(x)}" for x in ev]
                out += [f"  - {_l('missing', lang)}: {_cell(x)}" for x in mi]
    if data["commitments"]:
        names = list(data["commitments"][0]["fields"])
        out += ["", f"## {_l('commitments', lang)}", "",
                "| # | " + " | ".join(IRM[n].render(lang) for n in names) + f" | {_l('ambition', lang)} |",
                "|---|" + "---|" * (len(names) + 1)]
        for c in data["commitments"]:
            cells = [f"{_cell(v['label'] or _l('not_recorded', lang))} _({v['source_label']})_" for v in c["fields"].values()]
            out.append(f"| **{c['key']}** {_cell(c['title'])} | " + " | ".join(cells) + f" | {c['ambition']['level_label'] or '-'} |")
    out += ["", f"_{_l('generated', lang)}_", ""]
    return "\n".join(out)


def _grid(data: dict) -> list[dict]:
    """For the 2017 grouping: the phase x component matrix with counts per status."""
    cells = {g["key"]: g for g in data["groups"]}
    rows = []
    for p in PHASES:
        row = {"phase": p, "cells": []}
        for c in COMPONENTS:
            rules = cells.get(f"{p}/{c}", {}).get("rules", [])
            counts = {s: sum(1 for r in rules if r["status"] == s) for s in STATUSES}
            worst = next((s for s in ("not_met", "not_enough_data", "met", "not_applicable") if counts[s]), "none")
            row["cells"].append({"component": c, "counts": counts, "worst": worst, "anchor": f"{p}/{c}", "n": len(rules)})
        rows.append(row)
    return rows


@functools.cache
def _environment(lang: str) -> "Environment":
    """The report template's environment in ``lang``: its texts through gettext (``jinja2.ext.i18n``),
    and ``msg|say(**fields)`` for the labels kept as messages (statuses, phases, components...)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True  # as the messages are extracted (i18n.catalog)
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["say"] = lambda msg, **fields: show(msg, lang, fields)
    env.globals.update(STATUS=STATUS, LEVEL=LEVEL, IRM=IRM, PHASE=PHASE, COMPONENT=COMPONENT, PHASE_SHORT=PHASE_SHORT,
                       COMPONENT_SHORT=COMPONENT_SHORT, STATUSES=STATUSES, icon=ICON)
    return env


def html(data: dict, lang: str = "es", back: str | None = None) -> str:
    lang = lang_or_default(lang)
    template = _environment(lang).get_template("report.html.j2")
    return template.render(
        d=data, stage_text=_stage(data, lang), lang=lang, back=back,
        grid=_grid(data) if data["ruleset"]["group_by"] == "phase_component" else None,
        is_link=lambda ref: isinstance(ref, str) and ref.lower().startswith(("https://", "http://")),
    )
