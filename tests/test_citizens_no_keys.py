"""A whole process (docs/examples/whole-process.yaml, as ``cocrea demo`` applies it) read as a
citizen reads it: no public page shows an internal key (of a channel, theme, tree, working table,
commitment, activity, indicator, agency, event, document, solution), a person's handle, an action's
name, a criterion's or a rule's code. People and organisations appear by their names.

Kept on purpose, as public reference numbers: a session's number (``S1``), a decision's
(``S1-D1``), as the minutes cite them, and an input's (``i1``), which its author receives.
"""
from __future__ import annotations

import html as htmllib
import re

import pytest
import yaml
from click.testing import CliRunner
from sqlmodel import Session, select
from webkit import client

from cli.demo import EXAMPLE
from cli.main import main
from storage import make_engine
from storage import models as m

SLUG = "jalisco-2025"
#: Fields of the example that hold what people wrote (names, titles, texts), not references.
REFERENCES = {"key", "actor", "handle", "action", "session", "decision", "channel", "theme", "themes", "commitment",
              "commitments", "activity", "agency", "agencies", "tree", "input", "kind", "solution", "at", "target",
              "sector", "template", "slug", "rule", "expect_refusal", "position", "ambition", "axes", "status",
              "disposition", "idempotency_key", "lang", "role", "event", "members", "email", "person", "signatories"}
SNAKE = re.compile(r"(?<![\w./-])[a-z]+(?:_[a-z0-9]+)+(?![\w-])")


def _human_words(items) -> set[str]:
    words: set[str] = set()

    def walk(value, field=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, field)
        elif isinstance(value, str) and field not in REFERENCES:
            words.update(w.lower() for w in re.findall(r"[\w-]+", value))
    walk(items)
    return words


def _catalogue_words() -> set[str]:
    """Every word of the interface's messages, in both languages ("web", "relevance")."""
    from pathlib import Path

    from babel.messages.pofile import read_po

    words: set[str] = set()
    for path in (Path(__file__).parent.parent / "i18n" / "locale" / "es" / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as f:
            for msg in read_po(f):
                for text in [*(msg.id if isinstance(msg.id, tuple) else [msg.id]),
                             *(msg.string if isinstance(msg.string, tuple) else [msg.string])]:
                    words.update(w.lower() for w in re.findall(r"[\w-]+", text or ""))
    return words


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    return htmllib.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('whole') / 'cocrea.db'}"
    result = CliRunner().invoke(main, ["--db", url, "apply", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    yield engine
    engine.dispose()


def forbidden(engine) -> tuple[dict[str, str], set[str]]:
    """Every internal key and handle of the process (what it is, by token), and those skipped
    because people also wrote them as words (a theme keyed ``movilidad``)."""
    from compliance.rules import RULES
    from workflow.actions import ACTIONS

    tokens: dict[str, str] = {}
    with Session(engine) as db:
        pid = db.exec(select(m.Process).where(m.Process.slug == SLUG)).one().id
        for model in (m.Channel, m.Theme, m.ProblemTree, m.WorkingTable, m.Commitment, m.Activity, m.Indicator,
                      m.Agency, m.PublicEvent, m.Document, m.SensitizationSession):
            for row in db.exec(select(model).where(model.process_id == pid)):
                tokens[row.key] = model.__name__
        for tree in db.exec(select(m.ProblemTree).where(m.ProblemTree.process_id == pid)):
            for s in tree.solutions or []:
                if s.get("key"):
                    tokens[s["key"]] = "solution"
        for person in db.exec(select(m.Person).where(m.Person.process_id == pid)):
            tokens[person.handle] = "handle"
    tokens.update({name: "action" for name in ACTIONS})
    tokens.update({rule.id: "rule" for rule in RULES})
    words = _human_words(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))) | _catalogue_words()
    ambiguous = {t for t in tokens if t.lower() in words}
    return {t: what for t, what in tokens.items() if t not in ambiguous}, ambiguous


def public_pages(c, engine) -> list[str]:
    with Session(engine) as db:
        pid = db.exec(select(m.Process).where(m.Process.slug == SLUG)).one().id
        keys = [c.key for c in db.exec(select(m.Commitment).where(m.Commitment.process_id == pid))]
    return (["/", f"/p/{SLUG}", f"/p/{SLUG}/participa", f"/p/{SLUG}/comentar", f"/p/{SLUG}/seguir",
             f"/p/{SLUG}/cumplimiento"] + [f"/p/{SLUG}/compromisos/{k}" for k in keys])


def test_no_public_page_shows_an_internal_key_handle_or_code(whole, clock):
    tokens, ambiguous = forbidden(whole)
    assert len(tokens) > 40 and len(ambiguous) < 40 and "arbol-brecha" in tokens and "mesa-brecha" in tokens and "osc1" in tokens
    c = client(whole, clock)
    found = []
    for lang in ("es", "en"):
        c.cookies.set("cocrea_lang", lang)
        for path in public_pages(c, whole):
            page = c.get(path)
            assert page.status_code == 200, path
            text = visible_text(page.text)
            for token, what in tokens.items():
                if re.search(rf"(?<![\w./@-]){re.escape(token)}(?![\w@/-]|\.\w)", text):
                    found.append((lang, path, what, token))
            found += [(lang, path, "code", code) for code in SNAKE.findall(text)]
    assert found == [], "\n".join(map(str, sorted({(p.split("/")[-1], w, t) for _, p, w, t in found})))


def test_a_commitment_has_its_own_page_linked_from_the_process_page(whole, clock):
    c = client(whole, clock)
    home = c.get(f"/p/{SLUG}").text
    with Session(whole) as db:
        pid = db.exec(select(m.Process).where(m.Process.slug == SLUG)).one().id
        cm = db.exec(select(m.Commitment).where(m.Commitment.process_id == pid).order_by(m.Commitment.id)).first()
        activities = list(db.exec(select(m.Activity).where(m.Activity.commitment_id == cm.id)))
        indicators = list(db.exec(select(m.Indicator).where(m.Indicator.commitment_id == cm.id)))
        reports = list(db.exec(select(m.ProgressReport).where(m.ProgressReport.activity_id.in_([a.id for a in activities]))))
    link = f'href="/p/{SLUG}/compromisos/{cm.key}"'
    assert link in home
    page = c.get(f"/p/{SLUG}/compromisos/{cm.key}")
    assert page.status_code == 200
    text = htmllib.unescape(page.text)
    assert f"<h1 id=\"commitment-title\">{cm.title}</h1>" in text
    for value in (cm.problem, cm.cause, cm.objective, *cm.action_lines, *(a.title for a in activities),
                  *(i.name for i in indicators), *(r.evidence_ref for r in reports if r.evidence_ref)):
        assert value in text, value
    assert activities and indicators and reports
    assert "Avance" in text and "Evidencia" in text and "Líneas de acción" in text and "Indicadores" in text
    assert c.get(f"/p/{SLUG}/compromisos/no-existe").status_code == 404
    c.cookies.set("cocrea_lang", "en")
    assert "Action lines" in c.get(f"/p/{SLUG}/compromisos/{cm.key}").text


def test_the_process_page_lists_its_commitments_a_page_at_a_time(whole, clock, monkeypatch):
    """A page of commitments at a time, with their total and a way to the next page (which keeps
    the page of inputs); each one's activities on its own page."""
    from reads import public

    with Session(whole) as db:
        pid = db.exec(select(m.Process).where(m.Process.slug == SLUG)).one().id
        keys = list(db.exec(select(m.Commitment.key).where(m.Commitment.process_id == pid).order_by(m.Commitment.id)))
    assert len(keys) == 3
    monkeypatch.setattr(public, "COMMITMENTS_PER_PAGE", 2)
    c = client(whole, clock)
    first, second = c.get(f"/p/{SLUG}").text, c.get(f"/p/{SLUG}?compromisos=2&page=1").text
    assert f'id="commitment-{keys[0]}"' in first and f'id="commitment-{keys[1]}"' in first
    assert f'id="commitment-{keys[2]}"' not in first and f'id="commitment-{keys[2]}"' in second
    assert f'id="commitment-{keys[0]}"' not in second
    assert "Compromisos (3)" in first and "Compromisos (3)" in second
    assert f'href="/p/{SLUG}?compromisos=2#commitments" rel="next"' in first
    assert f'href="/p/{SLUG}#commitments" rel="prev"' in second
    assert 'class="activities"' not in first  # the activities are on each commitment's page
