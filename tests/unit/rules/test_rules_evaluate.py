"""The evaluator: reproducible keys, order independence, and the canonical scenario end to end."""

from __future__ import annotations

import pickle
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from timeline_builders import RULES, TODAY, Record, T, book, busy_record, of_rule

from dutycare.domain.events import Event
from dutycare.domain.model import Timeline
from dutycare.rules.evaluate import each_finding, evaluate_all, evaluate_case
from dutycare.rules.model import Certainty, EvalContext, Finding, Hit, Rule, Scope, Severity, finding_key
from dutycare.rules.views import CaseView


def keys(findings: list[Finding]) -> set[str]:
    return {f.key for f in findings}


def test_evaluating_twice_gives_the_same_keys() -> None:
    r = busy_record()
    assert keys(r.evaluate()) == keys(r.evaluate())
    assert len(keys(r.evaluate())) == len(r.evaluate())


def test_shuffled_event_order_gives_the_same_findings() -> None:
    r = busy_record()
    ordered = r.timeline()
    expected = {(f.key, f.event_ids, f.explanation_en) for f in r.evaluate()}
    for seed in range(5):
        events = list(ordered.events)
        random.Random(seed).shuffle(events)
        shuffled = Timeline(ordered.case, ordered.person, tuple(events), ordered.institutions, {})
        found = evaluate_case(shuffled, rules=RULES, today=TODAY, clock_book=book())
        assert {(f.key, f.event_ids, f.explanation_en) for f in found} == expected


def test_event_ids_are_in_timeline_order_and_the_key_ignores_order() -> None:
    r = busy_record()
    for finding in r.evaluate():
        events = [e for e in r.events if e.id in finding.event_ids]
        ordered = sorted(events, key=lambda e: (e.date.sort_key(), e.id))
        assert finding.event_ids == tuple(e.id for e in ordered)
    assert finding_key("R1", ["b", "a"], ["A"]) == finding_key("R1", ["a", "b"], ["A"])
    assert finding_key("R1", ["a"], ["A"]) != finding_key("R1", ["a"], ["B"])


def test_every_rule_that_fires_states_its_legal_basis_and_both_languages() -> None:
    for finding in busy_record().evaluate():
        assert finding.legal_basis and finding.explanation_ru and finding.explanation_en
        assert finding.certainty in (Certainty.ESTABLISHED, Certainty.POSSIBLE)


def canonical() -> Record:
    """Maxim (A), Alexander (B), Konstantin (C), a joint complaint and the hospital head's statement."""
    r = Record("A")
    r.injury("2023-09")
    r.finding("2023-10-01")
    r.recommend("2023-10-05", "removal of shrapnel")
    r.decide("2023-11-20", "А")
    r.add(T.DEPLOYED, "2023-12", "U")
    b = Record("B")
    b.injury("2023-08")
    b.finding("2023-09-10", inst="H")
    b.recommend("2023-09-10", "knee surgery")
    b.add(T.MALINGERING_LABEL, "2023-10-02", "H")
    c = Record("C")
    c.injury("2022")
    for when in ("2023-03-01", "2023-07-01", "2023-11-01"):
        c.recommend(when, "spinal surgery")
        c.refuse(when, "unwritten_directive", "spinal surgery")
    events = r.events + [_recase(e, "B") for e in b.events] + [_recase(e, "C") for e in c.events]
    r.events = events
    r.complaint("~2024-02", "P", "SK", "GP", channel="video_message", cases=("A", "B", "C"))
    r.add(T.PUBLIC_STATEMENT, "2024-03", "H", cases=("A", "B", "C"), claim="no_restrictions_on_care",
          statement="Ограничений на медицинскую помощь нет")
    return r


def _recase(event: Event, case_id: str) -> Event:
    return replace(event, id=f"{case_id}-{event.id}", case_ids=(case_id,))


def test_canonical_scenario_produces_the_findings_the_product_promises() -> None:
    r = canonical()
    timelines = [r.timeline(c) for c in "ABC"]
    found = evaluate_all(timelines, rules=RULES, today=date(2024, 6, 1), clock_book=book())
    by_case = {(f.rule_id, c) for f in found for c in f.case_ids}
    assert {("R1", "A"), ("R5", "A"), ("R4", "B"), ("R2", "C"), ("R3", "C")} <= by_case
    assert sorted(f.institution_id or "" for f in of_rule(found, "R6")) == ["GP", "P", "SK"]
    [statement] = of_rule(found, "R8")
    assert statement.institution_id == "H" and set(statement.case_ids) == {"A", "B", "C"}
    assert len(keys(found)) == len(found)


def test_each_finding_gives_what_the_list_holds_each_once_and_as_it_is_found() -> None:
    r = canonical()
    timelines = [r.timeline(c) for c in "ABC"]
    listed = evaluate_all(timelines, rules=RULES, today=date(2024, 6, 1), clock_book=book())
    stream = each_finding(timelines, rules=RULES, today=date(2024, 6, 1), clock_book=book())
    assert isinstance(stream, Iterator)
    given = list(stream)
    assert given == listed
    assert len(keys(given)) == len(given)
    # The joint complaint is reached from each of its three cases, and its findings are given once.
    assert sum(1 for f in given if f.rule_id == "R6") == 3


def test_each_finding_gives_a_case_s_findings_before_the_next_case_is_evaluated() -> None:
    r = canonical()
    timelines = [r.timeline(c) for c in "ABC"]

    def stop_at_b(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
        if view.case_id == "B":
            raise RuntimeError("case B was evaluated")
        return iter(())

    halting = Rule("X1", "x", "x", Severity.LOW, Scope.CASE, (), "x", "x", (), stop_at_b)
    stream = each_finding(timelines, rules=[*RULES, halting], today=date(2024, 6, 1), clock_book=book())
    first = next(stream)
    assert "A" in first.case_ids


def test_a_finding_is_a_value_with_its_key_and_cannot_be_changed_in_place() -> None:
    [finding, *_] = busy_record().evaluate()
    same = Finding(finding.rule_id, finding.severity, finding.certainty, finding.case_ids, finding.event_ids,
                   finding.explanation_ru, finding.explanation_en, finding.institution_id, finding.legal_basis)
    assert same == finding and same.key == finding_key(finding.rule_id, finding.event_ids, finding.case_ids,
                                                       finding.institution_id)
    assert pickle.loads(pickle.dumps(finding)) == finding
    with pytest.raises(AttributeError):
        finding.key = "forged"  # type: ignore[misc]
    with pytest.raises(TypeError):
        finding._replace(case_ids=("other",))
    assert finding_key("R6", ("e",), ("A",), "P") != finding_key("R6", ("e",), ("A",), "SK")
    assert finding_key("R6", ("e",), ("A",)) != finding_key("R6", ("e",), ("A",), "")
