"""The texts of representative findings, compared with a file written before the rules were last made faster.

Optimising the rules must not change a word of what they say: every finding's key, certainty and both
explanations are compared with ``data/representative_findings.json``. Regenerate it (``python
tests/unit/rules/test_rules_wording_is_kept.py``) only for a change meant to alter the texts, and say so.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from timeline_builders import RULES, TODAY, Record, T, book, busy_record

from dutycare.rules.evaluate import evaluate_all
from dutycare.rules.model import Finding

GOLDEN = Path(__file__).parent / "data" / "representative_findings.json"


def records() -> list[Record]:
    """Cases that make every rule fire, established and possible, with exact, partial, approximate and range dates."""
    busy = busy_record()
    vague = Record("B")
    vague._ids = itertools.count(101)  # event ids distinct from the first case's
    vague.injury("2023")
    vague.finding("~2023-11-02", documents_injury=True)
    vague.recommend("2023-11/2024-01", treatment="knee surgery")
    vague.recommend("2024-02", treatment="knee surgery")
    vague.decide("2024-02", "В")
    vague.decide("~2024-02-25", "Б", causal_link="not_stated")
    vague.add(T.DISCHARGED, "2024-02-20", "H", condition="not_recovered")
    vague.add(T.DEPLOYED, "~2024-03-01", "U")
    vague.refuse("2024-03-05", "malingering")
    letter = vague.complaint("2024-03-10", "OMB", "GP", channel="letter")
    vague.lifecycle(T.COMPLAINT_REGISTERED, "2024-03-12", letter, "GP")
    vague.add(T.PUBLIC_STATEMENT, "2024-06-01", "H", claim="care_as_usual",
              statement="Операции и госпитализации идут в обычном режиме")
    return [busy, vague]


def findings() -> list[Finding]:
    timelines = [r.timeline() for r in records()]
    return evaluate_all(timelines, rules=RULES, today=TODAY, clock_book=book())


def as_json(found: list[Finding]) -> list[dict[str, object]]:
    return [{"rule": f.rule_id, "key": f.key, "certainty": f.certainty.value, "cases": list(f.case_ids),
             "events": list(f.event_ids), "institution": f.institution_id, "ru": f.explanation_ru,
             "en": f.explanation_en} for f in sorted(found, key=lambda f: (f.rule_id, f.key))]


def test_every_rule_fires_on_the_representative_cases() -> None:
    assert {f.rule_id for f in findings()} == {r.id for r in RULES}


def test_the_findings_say_word_for_word_what_they_said() -> None:
    assert as_json(findings()) == json.loads(GOLDEN.read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(as_json(findings()), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
