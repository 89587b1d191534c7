"""Compliance over time: when each requirement was met, and when it stopped being."""
from __future__ import annotations

import json
from typing import Any

from i18n import N_
from stages import vocabulary

from .messages import STATUS
from .render import ICON
from .rules import BY_ID

HEAD = N_("Compliance month by month (rebuilt from the audit trail)")


def changes(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per point, the rules whose status differs from the previous point."""
    out, before = [], {}
    for p in points:
        diff = {rid: (before.get(rid), st) for rid, st in p["statuses"].items() if before.get(rid) != st}
        out.append({**p, "changed": diff})
        before = p["statuses"]
    return out


def render_timeline(points: list[dict[str, Any]], fmt: str = "text", lang: str = "es") -> str:
    rows = changes(points)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    lines = [HEAD.render(lang)]
    for p in rows:
        c = p["counts"]
        lines.append(f"{p['date']} [{vocabulary.label('stage', p['stage'], lang)}] {ICON['met']}{c['met']} {ICON['not_met']}{c['not_met']} "
                     f"{ICON['not_applicable']}{c['not_applicable']} {ICON['not_enough_data']}{c['not_enough_data']}")
        for rid, (old, new) in p["changed"].items():
            if old is None:
                continue
            title = BY_ID[rid].title.render(lang) if rid in BY_ID else rid
            lines.append(f"    {title}: {STATUS[old].render(lang)} → {STATUS[new].render(lang)}")
    return "\n".join(lines) + "\n"
