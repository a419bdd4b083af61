"""Runs rules over the record: per case (case and complaint scope), per institution, and over many cases.

Each case is indexed once (``CaseView``); every rule then reads only the event types it needs. Findings are
identified by their key, so a finding reached from two cases (a joint complaint) is reported once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
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
        view = CaseView(case_id, by_case[case_id], institutions)
        _unique((f for rule in case_rules for f in rule.findings(view, ctx)), found)
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
        used = {rule_id for r in rules if r.scope is Scope.INSTITUTION for rule_id in r.uses}
        case_findings = case_findings_from_events(events, institutions, rules=[r for r in rules if r.id in used],
                                                  today=today)
    view = InstitutionView(institution, events, institutions, case_findings)
    ctx = EvalContext(today)
    return list(_unique(f for r in rules if r.scope is Scope.INSTITUTION for f in r.findings(view, ctx)).values())


def evaluate_all(timelines: Iterable[Timeline], *, rules: Sequence[Rule], today: date, clock_book: ClockBook,
                 institutions: Mapping[str, Institution] | None = None) -> list[Finding]:
    """Every rule over many cases, as a list (see `each_finding`, which keeps none of them)."""
    return list(each_finding(timelines, rules=rules, today=today, clock_book=clock_book, institutions=institutions))


def each_finding(timelines: Iterable[Timeline], *, rules: Sequence[Rule], today: date, clock_book: ClockBook,
                 institutions: Mapping[str, Institution] | None = None) -> Iterator[Finding]:
    """Every rule over many cases, each finding once, as it is found: per-case findings first, then institution
    findings that build on them.

    Only the keys of the findings of several cases given are kept (a joint complaint's finding is reached from each
    of its cases; a finding of one case only from that case's view), and the findings institution rules use: a
    caller that stores or counts findings as they come holds no more, which is how `refresh_findings` works
    through a whole record. Institution rules run for every institution that
    made a public statement, over the events (of the types they read) at it and the institutions below it, and the
    case findings they use.
    """
    timelines = list(timelines)
    ctx = EvalContext(today, clock_book)
    inputs = InstitutionInputs([r for r in rules if r.scope is Scope.INSTITUTION], timelines, institutions)
    # Each rule with whether institution rules use its findings, so that the question is asked once, not per hit.
    per_case = [(r, r.id in inputs.used) for r in rules if r.scope in PER_CASE]
    given: set[str] = set()  # the keys of findings of several cases, and of institution findings
    for timeline in timelines:
        view = CaseView.of_timeline(timeline)
        own: set[str] = set()  # a finding of this case alone is reached from its view only
        for rule, used in per_case:
            for hit in rule.check(view, ctx):
                finding = rule.finding(hit)
                seen = own if len(finding.case_ids) == 1 else given
                if (key := finding.key) not in seen:
                    seen.add(key)
                    yield finding
                    if used:
                        inputs.add_finding(finding, hit.events)
        inputs.add_case(view)
    if inputs.rules:
        for finding in inputs.evaluate(today):
            if finding.key not in given:
                given.add(finding.key)
                yield finding


def _institutions(timelines: Sequence[Timeline], given: Mapping[str, Institution] | None) -> dict[str, Institution]:
    merged: dict[str, Institution] = {}
    seen: set[int] = set()
    for timeline in timelines:
        if id(timeline.institutions) not in seen:  # timelines loaded together usually share one dict
            seen.add(id(timeline.institutions))
            merged.update(timeline.institutions)
    merged.update(given or {})
    return merged


class InstitutionInputs:
    """What institution rules need, gathered while cases are evaluated so that no second pass over them is made:
    the events at a speaking institution's family of the types the rules read, and the findings they use that rest
    on an event there, with those events.

    The speakers (institutions with a public statement) are found first, in one look at the events' types, so that
    nothing about the other institutions is kept.
    """

    def __init__(self, rules: list[Rule], timelines: Sequence[Timeline] = (),
                 institutions: Mapping[str, Institution] | None = None) -> None:
        self.rules = rules
        self.used = frozenset(rule_id for r in rules for rule_id in r.uses)
        reads = [r.reads for r in rules]
        wanted = {EventType.PUBLIC_STATEMENT, *(t for types in reads for t in types or ())}
        self.reads = None if None in reads else frozenset(wanted)
        self.institutions = _institutions(timelines, institutions) if rules else {}
        statement, known = EventType.PUBLIC_STATEMENT, self.institutions
        speakers = {e.institution_id for t in timelines for e in t.events if e.type is statement
                    and e.institution_id is not None and e.institution_id in known} if rules else set()
        self.families = {speaker: family_of(speaker, known) for speaker in speakers}
        self.members = frozenset(member for family in self.families.values() for member in family)
        self.at: dict[str, dict[str, Event]] = {}  # member institution -> its events kept, by id
        self.found_at: dict[str, list[Finding]] = {}  # member institution -> the findings kept with an event there

    def _keep(self, events: Iterable[Event]) -> set[str]:
        """Keep the events at a speaker's family, grouped by institution; the institutions they are at."""
        members, at, places = self.members, self.at, set()
        for e in events:
            if (where := e.institution_id) in members:
                held = at.get(where)
                if held is None:
                    held = at[where] = {}
                held[e.id] = e
                places.add(where)
        return places

    def add_case(self, view: CaseView) -> None:
        """Keep the case's events at a speaker's family of the types institution rules read (all types where a rule
        says None)."""
        if self.members:
            self._keep(view.events if self.reads is None else [e for t in self.reads for e in view.of(t)])

    def add_finding(self, finding: Finding, events: Iterable[Event]) -> None:
        """Keep a case finding (without its explanations, which institution rules do not read), and its events at a
        speaker's family, when an institution rule uses its rule's findings and one of its events is there (each
        finding is given once)."""
        if finding.rule_id in self.used and self.members:
            slim: Finding | None = None
            for where in self._keep(events):
                slim = slim or finding.without_explanations()
                self.found_at.setdefault(where, []).append(slim)

    def evaluate(self, today: date) -> list[Finding]:
        """Institution findings for every institution with a public statement."""
        institutions, at, found_at = self.institutions, self.at, self.found_at
        out: list[Finding] = []
        for speaker in sorted(self.families):
            family = sorted(self.families[speaker])
            events = [e for member in family for e in at.get(member, {}).values()]
            if len(family) == 1:
                relevant = found_at.get(speaker, [])
            else:  # a finding with events at two members is kept at each
                relevant = list({f.key: f for member in family for f in found_at.get(member, ())}.values())
            out.extend(evaluate_institution(institutions[speaker], events, institutions, rules=self.rules,
                                            today=today, case_findings=relevant))
        return out
