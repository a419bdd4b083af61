"""R8: an official statement contradicted by events recorded at the same institution, across cases."""

from __future__ import annotations

from datetime import date

from timeline_builders import RULES, TODAY, Record, T, book, of_rule

from dutycare.domain.events import Event
from dutycare.rules.evaluate import InstitutionInputs, evaluate_all, evaluate_institution
from dutycare.rules.model import Certainty, EvalContext, Finding, Scope
from dutycare.rules.views import CaseView, InstitutionView

E, P = Certainty.ESTABLISHED, Certainty.POSSIBLE


def statement(r: Record, when: str = "2024-06-01", claim: str = "care_as_usual", inst: str = "H") -> Event:
    return r.add(T.PUBLIC_STATEMENT, when, inst, cases=("A", "B"), claim=claim,
                 statement="Операции и госпитализации идут в обычном режиме")


def r8(r: Record, today: date = TODAY) -> list[Finding]:
    timelines = [r.timeline(c) for c in sorted({c for e in r.events for c in e.case_ids})]
    return of_rule(evaluate_all(timelines, rules=RULES, today=today, clock_book=book()), "R8")


def test_r8_statement_contradicted_by_a_refusal_at_the_hospital_lists_both_and_the_case() -> None:
    r = Record()
    said = statement(r)
    refusal = r.refuse("2024-02-01", "unwritten_directive")
    [finding] = r8(r)
    assert finding.certainty is E and finding.institution_id == "H"
    assert finding.event_ids == (refusal.id, said.id)
    assert finding.case_ids == ("A",)
    assert "01.06.2024" in finding.explanation_ru and "обычном режиме" in finding.explanation_ru


def test_r8_counts_events_at_institutions_below_the_speaker() -> None:
    r = Record()
    statement(r)
    r.refuse("2024-02-01", "no_capacity", inst="WARD")
    assert len(r8(r)) == 1


def test_r8_gathers_contradictions_from_several_cases() -> None:
    r = Record()
    statement(r)
    r.refuse("2024-02-01", "unwritten_directive")
    r.add(T.TREATMENT_REFUSED, "2024-03-01", "H", cases=("B",), treatment="knee surgery", reason="x",
          reason_kind="none_given")
    [finding] = r8(r)
    assert finding.case_ids == ("A", "B")


def test_r8_uses_r1_findings_at_the_commission_under_the_hospital() -> None:
    r = Record()
    statement(r)
    r.injury("2024-01-10")
    r.recommend("2024-02-02", inst="H2")
    decision = r.decide("2024-03-15", "А")
    [finding] = r8(r)
    assert decision.id in finding.event_ids


def test_r8_not_without_contradicting_events_in_the_window() -> None:
    r = Record()
    statement(r)
    r.refuse("2022-05-01", "unwritten_directive")  # more than 24 months before
    r.refuse("2025-01-15", "unwritten_directive")  # more than 6 months after
    assert r8(r) == []


def test_r8_not_for_medical_refusals_or_other_institutions_or_other_claims() -> None:
    r = Record()
    statement(r)
    statement(r, claim="other", inst="H2")
    r.refuse("2024-02-01", "no_indication")
    r.refuse("2024-02-01", "unwritten_directive", inst="DIR")  # the speaker's parent
    r.refuse("2024-02-01", "unwritten_directive", inst="H2")  # a statement with claim 'other'
    assert r8(r) == []


def test_r8_event_only_partly_inside_the_window_is_possible() -> None:
    r = Record()
    statement(r)
    r.refuse("2022", "unwritten_directive")  # 2022 straddles the window's start (01.06.2022)
    [finding] = r8(r)
    assert finding.certainty is P


def test_evaluate_institution_derives_case_findings_from_the_events_when_not_given() -> None:
    r = Record()
    statement(r)
    r.injury("2024-01-10")
    r.recommend("2024-02-02", inst="H2")
    r.decide("2024-03-15", "А")
    found = evaluate_institution(r.institutions["H"], r.events, r.institutions, rules=RULES, today=TODAY)
    assert [f.rule_id for f in found] == ["R8"]


def test_what_institution_rules_are_given_is_only_what_rests_at_a_speaker_s_family() -> None:
    r = Record()
    statement(r)
    r.refuse("2024-02-01", "unwritten_directive")  # at the speaker
    r.refuse("2024-02-01", "no_capacity", inst="H2")  # at a hospital that said nothing
    r.injury("2024-01-10")
    r.recommend("2024-02-02", inst="H2")
    r.decide("2024-03-15", "А", inst="H2")  # an R1 finding resting only on events at H2
    timelines = [r.timeline(c) for c in ("A", "B")]
    inputs = InstitutionInputs([rule for rule in RULES if rule.scope is Scope.INSTITUTION], timelines)
    assert set(inputs.families) == {"H"} and "H2" not in inputs.members
    for timeline in timelines:
        view = CaseView.of_timeline(timeline)
        for rule in RULES:
            if rule.id in inputs.used:
                for hit in rule.check(view, EvalContext(TODAY, book())):
                    inputs.add_finding(rule.finding(hit), hit.events)
        inputs.add_case(view)
    assert set(inputs.at) == {"H"} and {e.institution_id for e in inputs.at["H"].values()} == {"H"}
    assert inputs.found_at == {}
    [finding] = of_rule(inputs.evaluate(TODAY), "R8")
    assert set(finding.event_ids) == {e.id for e in r.events if e.institution_id == "H" and e.type in (
        T.TREATMENT_REFUSED, T.PUBLIC_STATEMENT)}


def test_an_institution_view_gives_each_type_in_timeline_order_whatever_order_it_was_given() -> None:
    r = Record()
    later = r.refuse("2024-05-01", "unwritten_directive")
    earlier = r.refuse("2024-02-01", "no_capacity")
    said = statement(r)
    view = InstitutionView(r.institutions["H"], r.events, r.institutions, ())  # the later refusal first
    assert list(view.of(T.TREATMENT_REFUSED)) == [earlier, later]
    assert list(view.of(T.TREATMENT_REFUSED)) == [earlier, later]  # sorted once, kept
    assert list(view.of(T.PUBLIC_STATEMENT)) == [said] and list(view.of(T.DEPLOYED)) == []


def test_case_findings_are_kept_for_institution_rules_without_their_texts_and_with_their_keys() -> None:
    """What R8 keeps of an R1 finding at the speaker's family is its rule, events, cases and key, not its texts;
    the R8 finding built on it is the one built on the whole finding (as a refresh from stored findings does)."""
    r = Record()
    statement(r, inst="H")
    r.injury("2024-01-10")
    r.recommend("2024-02-02", inst="H")
    r.decide("2024-03-15", "А", inst="H")
    timelines = [r.timeline(c) for c in ("A", "B")]
    rules = [rule for rule in RULES if rule.scope is Scope.INSTITUTION]
    inputs = InstitutionInputs(rules, timelines)
    whole: list[Finding] = []
    for timeline in timelines:
        view = CaseView.of_timeline(timeline)
        for rule in RULES:
            if rule.id in inputs.used:
                for hit in rule.check(view, EvalContext(TODAY, book())):
                    whole.append(finding := rule.finding(hit))
                    inputs.add_finding(finding, hit.events)
        inputs.add_case(view)
    [kept] = inputs.found_at["H"]
    [r1] = of_rule(whole, "R1")
    assert (kept.explanation_ru, kept.explanation_en) == ("", "") and r1.explanation_ru and r1.explanation_en
    assert kept.key == r1.key and kept[:5] == r1[:5] and kept[7:] == r1[7:]
    events = [e for t in timelines for e in t.events]
    assert inputs.evaluate(TODAY) == evaluate_institution(r.institutions["H"], events, r.institutions, rules=rules,
                                                          today=TODAY, case_findings=whole)
