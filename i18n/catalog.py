"""Keeping the catalogues: extract the messages of the code, update the ``.po`` files, compile
them to ``.mo``, and check them. Needs Babel (a development tool; running cocrea does not).

    python -m i18n update     # new messages of the code into every .po (untranslated), old ones marked obsolete
    python -m i18n compile    # .po -> .mo (commit both)
    python -m i18n check      # what `tests/test_i18n.py` checks: nothing missing, stale or untranslated
"""
from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from . import DOMAINS, KEYWORDS, LOCALE

ROOT = Path(__file__).resolve().parent.parent
#: domain -> the packages whose messages it holds
SOURCES: dict[str, tuple[str, ...]] = {
    "core": ("stages", "storage", "workflow", "reads", "migrations"),
    "compliance": ("compliance",),
    "notifications": ("notifications",),
    "web": ("web",),
    "cli": ("cli",),
}
#: In templates, gettext takes no language (jinja2.ext.i18n binds it per environment).
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                     "npgettext": ((1, "c"), 2, 3)}
TEMPLATE_PATTERNS = ("**/templates/**.html", "**/templates/**.txt", "**/templates/**.j2")
LANGS_TRANSLATED = ("es",)


def po_path(lang: str, domain: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def extract(domain: str) -> Catalog:
    """Every message the code of ``domain`` says (Python and templates)."""
    catalog = Catalog(domain=domain, project="cocrea", charset="utf-8")
    for package in SOURCES[domain]:
        base = ROOT / package
        if not base.exists():
            continue
        runs = [({"**.py": "python"}, KEYWORDS),
                ({p: "jinja2" for p in TEMPLATE_PATTERNS}, TEMPLATE_KEYWORDS)]
        for method_map, keywords in runs:
            options = {p: {"extensions": "jinja2.ext.i18n", "trimmed": "true"} for p, m in method_map.items()
                       if m == "jinja2"}
            for filename, lineno, message, comments, context in extract_from_dir(
                    str(base), list(method_map.items()), options, keywords=keywords,
                    comment_tags=("Translators:",), strip_comment_tags=True):
                catalog.add(message, None, [(f"{package}/{filename}", lineno)], auto_comments=comments,
                            context=context)
    return catalog


def read(lang: str, domain: str) -> Catalog:
    path = po_path(lang, domain)
    with path.open("rb") as fp:
        return read_po(fp, locale=lang, domain=domain)


def update(lang: str, domain: str) -> Catalog:
    """The ``.po`` of ``domain`` brought up to date with the code (translations kept)."""
    template = extract(domain)
    catalog = read(lang, domain)
    created = catalog.creation_date  # the header stays as it was: only messages change
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.creation_date = created
    catalog.obsolete.clear()
    with po_path(lang, domain).open("wb") as fp:
        write_po(fp, catalog, width=100, sort_by_file=True, ignore_obsolete=True)
    return catalog


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> list[Path]:
    out = []
    for lang in LANGS_TRANSLATED:
        for domain in DOMAINS:
            if po_path(lang, domain).exists():
                mo = po_path(lang, domain).with_suffix(".mo")
                mo.write_bytes(compiled(read(lang, domain)))
                out.append(mo)
    return out


def problems(lang: str = "es") -> list[str]:
    """Messages of the code with no translation, translations nothing says, stale ``.mo`` files."""
    found = []
    for domain in DOMAINS:
        code = extract(domain)
        if not po_path(lang, domain).exists():
            if len(code):
                found.append(f"{domain}: no {po_path(lang, domain).relative_to(ROOT)}")
            continue
        catalog = read(lang, domain)
        said = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in code if m.id}
        have = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
        for msgid, ctx in sorted(said - have, key=str):
            found.append(f"{domain}: not in the catalogue: {msgid!r}" + (f" ({ctx})" if ctx else ""))
        for msgid, ctx in sorted(have - said, key=str):
            found.append(f"{domain}: said by nothing: {msgid!r}" + (f" ({ctx})" if ctx else ""))
        for m in catalog:
            if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy):
                found.append(f"{domain}: untranslated: {m.id!r}")
        mo = po_path(lang, domain).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{domain}: {mo.relative_to(ROOT)} is stale: run `python -m i18n compile`")
    return found
