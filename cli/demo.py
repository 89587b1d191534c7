"""The demo is the complete example of the documentation, applied as ``cocrea apply`` applies it.

``docs/examples/whole-process.yaml``: a Jalisco-like local exercise, declaration to closed, every
action dated when it happened in 2025 (two of them refused on purpose, to show why).
"""
from __future__ import annotations

from pathlib import Path

#: The example the demo applies (and the README points to).
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "whole-process.yaml"


def process_of(items: list) -> str:
    """The process the example creates."""
    return next(i["slug"] for i in items if isinstance(i, dict) and i.get("action") == "create_process")
