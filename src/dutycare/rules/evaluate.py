"""Runs rules over the record: per case (case and complaint scope), per institution, and over many cases.

Each case is indexed once (``CaseView``); every rule then reads only the event types it needs. Findings are
identified by their key, so a finding reached from two cases (a joint complaint) is reported once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from dutycare.domain.events import Event, EventType
from dutycare.domain.model import Institution, Timeline
from dutycare.jurisdictions.clocks import ClockBook
from dutycare.rules.model import EvalContext, Finding, Rule, Scope
from dutycare.rules.views import CaseView, InstitutionView, family_of

PER_CASE = frozenset({Scope.CASE, Scope.COMPLAINT})


def _unique(findings: Iterable[Finding], into: dict[str, Finding] | None = None) -> dict[str, Finding]:
    out = {} if into is None else into
    for finding in findings:
        out.setdefault(finding.key, finding)
    return out


def evaluate_view(view: CaseView, rules: Iterable[Rule], ctx: EvalContext) -> list[Finding]:
    """Case- and complaint-scope rules over an already built case view."""
    return list(_unique(f for rule in rules if rule.scope in PER_CASE for f in rule.findings(view, ctx)).values())


def evaluate_case(timeline: Timeline, *, rules: Sequence[Rule], today: date, clock_book: ClockBook) -> list[Finding]:
    """Findings of the case- and complaint-scope rules on one case's timeline, as of ``today``."""
    return evaluate_view(CaseView.of_timeline(timeline), rules, EvalContext(today, clock_book))


def case_findings_from_events(events: Iterable[Event], institutions: Mapping[str, Institution], *,
                              rules: Sequence[Rule], today: date) -> list[Finding]:
    """Case-scope findings of the cases the events belong to, grouping the events by case id."""
    by_case: dict[str, list[Event]] = {}
    for event in events:
        for case_id in event.case_ids:
            by_case.setdefault(case_id, []).append(event)
    ctx = EvalContext(today)
    case_rules = [r for r in rules if r.scope is Scope.CASE]
    found: dict[str, Finding] = {}
    for case_id in sorted(by_case):
        _unique((f for rule in case_rules for f in rule.findings(CaseView(case_id, by_case[case_id], institutions),
                                                                ctx)), found)
    return list(found.values())


def evaluate_institution(institution: Institution, events_with_case_ids: Iterable[Event],
                         institutions: Mapping[str, Institution], *, rules: Sequence[Rule], today: date,
                         case_findings: Iterable[Finding] | None = None) -> list[Finding]:
    """Findings of the institution-scope rules about one institution (and those below it) across cases.

    ``case_findings`` are the case findings already known (e.g. stored); when None they are derived from
    ``events_with_case_ids``, which must then hold every event of the cases concerned, not only those at the
    institution.
    """
    events = list(events_with_case_ids)
    if case_findings is None:
        case_findings = case_findings_from_events(events, institutions, rules=rules, today=today)
    view = InstitutionView(institution, events, institutions, case_findings)
    ctx = EvalContext(today)
    return list(_unique(f for r in rules if r.scope is Scope.INSTITUTION for f in r.findings(view, ctx)).values())


def evaluate_all(timelines: Iterable[Timeline], *, rules: Sequence[Rule], today: date, clock_book: ClockBook,
                 institutions: Mapping[str, Institution] | None = None) -> list[Finding]:
    """Every rule over many cases: per-case findings first, then institution findings that build on them."""
    timelines = list(timelines)
    ctx = EvalContext(today, clock_book)
    per_case = [r for r in rules if r.scope in PER_CASE]
    found: dict[str, Finding] = {}
    for timeline in timelines:
        view = CaseView.of_timeline(timeline)
        _unique((f for rule in per_case for f in rule.findings(view, ctx)), found)
    institution_rules = [r for r in rules if r.scope is Scope.INSTITUTION]
    if institution_rules:
        known = _institutions(timelines, institutions)
        _unique(_institution_pass(timelines, list(found.values()), known, institution_rules, today), found)
    return list(found.values())


def _institutions(timelines: Sequence[Timeline], given: Mapping[str, Institution] | None) -> dict[str, Institution]:
    merged: dict[str, Institution] = {}
    for timeline in timelines:
        merged.update(timeline.institutions)
    merged.update(given or {})
    return merged


def _institution_pass(timelines: Sequence[Timeline], case_findings: list[Finding],
                      institutions: dict[str, Institution], rules: list[Rule], today: date) -> list[Finding]:
    """Institution rules for every institution that made a public statement, over the events of its family."""
    speakers: set[str] = set()
    for timeline in timelines:
        for event in timeline.events:
            if event.type is EventType.PUBLIC_STATEMENT and event.institution_id in institutions:
                speakers.add(str(event.institution_id))
    families = {s: family_of(s, institutions) for s in sorted(speakers)}
    wanted = frozenset().union(*families.values()) if families else frozenset()
    at: dict[str, dict[str, Event]] = {}
    for timeline in timelines:
        for event in timeline.events:
            inst_id = event.institution_id
            if inst_id is not None and inst_id in wanted:
                at.setdefault(inst_id, {})[event.id] = event
    by_event: dict[str, list[Finding]] = {}
    for finding in case_findings:
        for event_id in finding.event_ids:
            by_event.setdefault(event_id, []).append(finding)
    out: list[Finding] = []
    for speaker, family in families.items():
        events = [e for member in sorted(family) for e in at.get(member, {}).values()]
        relevant = list({f.key: f for e in events for f in by_event.get(e.id, ())}.values())
        out.extend(evaluate_institution(institutions[speaker], events, institutions, rules=rules, today=today,
                                        case_findings=relevant))
    return out
