"""docs/rules.md must be what the code renders: every rule and every clock rule."""

from __future__ import annotations

from pathlib import Path

from dutycare.jurisdictions.clocks import default_clock_book
from dutycare.rules.catalogue import REGENERATE, render_catalogue
from dutycare.rules.registry import load_rules

DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def test_docs_rules_md_is_current() -> None:
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == render_catalogue(), f"docs/rules.md is stale: regenerate it with `{REGENERATE}`"


def test_catalogue_names_every_rule_and_every_clock_rule() -> None:
    text = render_catalogue()
    for rule in load_rules(entry_points=False):
        assert f"### {rule.id} — {rule.title_en}" in text and rule.title_ru in text
        assert all(case in text for case in rule.does_not_fire)
    for clock in default_clock_book().rules:
        assert f"| {clock.id} |" in text and clock.legal.article in text
