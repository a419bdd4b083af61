"""What staff see of cases: lists narrowed by access, filters and search; case pages; identifying reads; export.

Every function takes the viewer and applies the role table and case restrictions itself, so the web pages and
the API cannot forget to. Cases a viewer may not see are reported as not found, never as forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from dutycare.domain.errors import InvalidInput, NotAllowed, Problem
from dutycare.domain.events import Event, EventType
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.interchange import case_file_to_dict
from dutycare.domain.limits import MAX_OFFSET
from dutycare.domain.model import CaseFile, Person, Timeline
from dutycare.jurisdictions.deadlines import DueDate, deadlines
from dutycare.rules.model import Finding
from dutycare.service_layer import access_log, audit
from dutycare.service_layer.access import CASE_SCOPE, CaseScope, Permission, User, allows
from dutycare.service_layer.access import Access as Access
from dutycare.service_layer.audit import iso
from dutycare.service_layer.findings import display_order, finding_of
from dutycare.service_layer.ports import CaseQueries as CaseQueries
from dutycare.service_layer.ports import StaffUnitOfWork
from dutycare.service_layer.queries import SEARCH_COUNT_LIMIT, CaseRow, FindingRow
from dutycare.service_layer.queries import CaseQuery as CaseQuery
from dutycare.service_layer.queries import FilterChoices as FilterChoices
from dutycare.service_layer.rulebook import RuleBook
from dutycare.service_layer.search import query_words
from dutycare.service_layer.visibility import Visibility

CLOCK_EVENT_TYPES = (EventType.COMPLAINT, EventType.COMPLAINT_REGISTERED, EventType.COMPLAINT_FORWARDED,
                     EventType.COMPLAINT_EXTENDED, EventType.COMPLAINT_ANSWERED, EventType.RECORDS_REQUESTED,
                     EventType.RECORDS_PROVIDED)
MAX_PAGE = 200


@dataclass(frozen=True)
class FindingView:
    """A finding as pages and the API show it."""

    rule_id: str
    severity: str
    certainty: str
    case_ids: tuple[str, ...]
    event_ids: tuple[str, ...]
    explanation_ru: str
    explanation_en: str
    legal_basis: str = ""


@dataclass(frozen=True)
class CasePage:
    """Everything a case page shows (identifying person fields excepted: those are read apart, audited)."""

    timeline: Timeline
    access: Access
    findings: list[FindingView]
    due_dates: list[DueDate]
    evidence: dict[str, list[EvidenceFile]] = field(default_factory=dict)

    @property
    def complaints(self) -> list[Event]:
        """The complaints on this case's timeline."""
        return [e for e in self.timeline.events if e.type is EventType.COMPLAINT]


def list_cases(uow: StaffUnitOfWork, viewer: User, query: CaseQuery, limit: int = 50,
               offset: int = 0) -> tuple[list[CaseRow], int]:
    """A page of the cases this viewer may see that match the query, and how many match in all.

    A text search counts up to SEARCH_COUNT_LIMIT + 1 cases: a common word is in most cases, and counting them all
    would cost many pages' worth of work (`total_is_exact` says whether the count stopped there)."""
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise InvalidInput([Problem("filter", "date_to", "must not be before the start date")])
    limit = max(1, min(limit, MAX_PAGE))
    with uow:
        digests = None
        if query.text and query.text.strip():
            words = query_words(query.text)
            if not words:
                return [], 0
            digests = uow.views.search_digests(words)
            if digests is None:
                return [], 0
        return uow.views.visible_cases(viewer, query, digests, limit, min(max(0, offset), MAX_OFFSET))


def total_is_exact(query: CaseQuery, total: int) -> bool:
    """False when `total` is a text search's count stopped at its limit: more than `total - 1` cases match."""
    return not (query.text and query.text.strip()) or total <= SEARCH_COUNT_LIMIT


def filter_choices(uow: StaffUnitOfWork, viewer: User) -> FilterChoices:
    """The values the case-list filters offer this viewer: no region that only hidden cases are in."""
    with uow:
        choices = uow.views.filter_choices()
        if CASE_SCOPE[viewer.role] is CaseScope.EVERY_CASE:
            return choices
        regions = tuple(r for r in choices.regions if uow.views.any_visible(viewer, CaseQuery(region=r)))
        return replace(choices, regions=regions)


def _stored_finding_views(rows: list[FindingRow], book: RuleBook) -> list[FindingView]:
    """Stored findings (kept current by every write) as pages show them, in `findings.display_order`, with the
    legal basis of each rule."""
    views = []
    for r in sorted(rows, key=lambda r: display_order(r.severity, r.rule_id, r.key)):
        rule = book.rule(r.rule_id)
        basis = "; ".join(b.citation() for b in rule.legal_basis) if rule else ""
        views.append(FindingView(r.rule_id, r.severity, r.certainty, r.case_ids, r.event_ids, r.explanation_ru,
                                 r.explanation_en, basis))
    return views


def case_page(uow: StaffUnitOfWork, viewer: User, case_id: str, at: datetime) -> CasePage:
    """A case's timeline, findings, complaints with their due dates, and evidence, for a viewer allowed to see it;
    the read is audited in the same transaction.

    Nothing of a case hidden from the viewer shows: events shared with one name only the visible cases, and
    findings that rest on one are evaluated again without it.
    """
    with uow:
        case = uow.records.case(case_id)  # NotFound for a case that does not exist
        vis = Visibility(uow, viewer)
        access = vis.require_case(case_id, exists=True)
        institutions = uow.records.institutions_by_id()
        timeline = uow.records.timeline(case_id, case=case, institutions=institutions)
        timeline = replace(timeline, events=tuple(vis.events(timeline.events)))
        evidence: dict[str, list[EvidenceFile]] = {}
        for ev in uow.records.evidence_of_case(case_id):
            evidence.setdefault(ev.event_id, []).append(ev)
        stored = vis.findings(uow.findings.for_case(case_id))
        audit.note(uow, viewer, audit.AuditAction.READ_CASE, "case", case_id, at)
        uow.commit()
    due = deadlines(timeline.events, institutions, today=at.date(), clock_book=uow.rulebook.clock_book)
    return CasePage(timeline, access, _stored_finding_views(stored, uow.rulebook), due, evidence)


def case_access(uow: StaffUnitOfWork, viewer: User, case_id: str) -> Access:
    """Whether a case is restricted and to whom, for those who may change it."""
    if not allows(viewer.role, Permission.CASE_RESTRICT):
        raise NotAllowed("Your role may not change who sees a case.")
    with uow:
        return Visibility(uow, viewer).require_case(case_id)


def visible_findings(uow: StaffUnitOfWork, viewer: User, case_id: str | None = None) -> list[Finding]:
    """The findings of one case, or of every case, as this viewer may see them, most severe first."""
    with uow:
        vis = Visibility(uow, viewer)
        if case_id is not None:
            vis.require_case(case_id)
        rows = vis.findings(uow.findings.for_cases([case_id]) if case_id is not None else uow.findings.all())
        book = uow.rulebook
    ordered = sorted(rows, key=lambda r: display_order(r.severity, r.rule_id, r.key))
    return [finding_of(r, book) for r in ordered]


def check_case_visible(uow: StaffUnitOfWork, viewer: User, case_id: str) -> None:
    """NotFound unless the viewer may see the case."""
    with uow:
        Visibility(uow, viewer).require_case(case_id)


def check_event_visible(uow: StaffUnitOfWork, viewer: User, event_id: str) -> Event:
    """The event as the viewer sees it (naming only visible cases); NotFound when they see none of its cases."""
    with uow:
        return Visibility(uow, viewer).require_event(event_id)


def person_details(uow: StaffUnitOfWork, viewer: User, case_id: str, at: datetime) -> Person:
    """The person of a case with identifying fields, for roles allowed them; the read is audited."""
    if not allows(viewer.role, Permission.IDENTIFYING_READ):
        raise NotAllowed("Your role may not read identifying details.")
    with uow:
        Visibility(uow, viewer).require_case(case_id)
        person = uow.records.person(uow.records.case(case_id).person_id)
        audit.note(uow, viewer, audit.AuditAction.READ_IDENTIFYING, "case", case_id, at, f"person {person.id}")
        uow.commit()
    return person


def set_case_access(uow: StaffUnitOfWork, actor: User, case_id: str, restricted: bool,
                    user_ids: frozenset[str], at: datetime) -> Access:
    """Restrict a case to named users (or lift the restriction); partners see only cases naming them."""
    if not allows(actor.role, Permission.CASE_RESTRICT):
        raise NotAllowed("Your role may not change who sees a case.")
    with uow:
        uow.records.case(case_id)
        unknown = sorted(u for u in user_ids if uow.access.user(u) is None)
        if unknown:
            raise InvalidInput([Problem("case_access", "users", f"unknown user(s): {', '.join(unknown)}")])
        uow.views.set_case_access(case_id, restricted, user_ids, audit_at(at), actor.name)
        access_log.enter(uow, actor.name, "case_access", case_id)
        detail = ("restricted" if restricted else "open") + f"; named: {', '.join(sorted(user_ids)) or '—'}"
        audit.note(uow, actor, audit.AuditAction.CASE_ACCESS_CHANGED, "case", case_id, at, detail)
        uow.commit()
        return uow.views.case_access(case_id)


def audit_at(at: datetime) -> str:
    """The stored form of a time."""
    return iso(at)


def due_dates(uow: StaffUnitOfWork, viewer: User, today: date) -> list[DueDate]:
    """Every clock of every complaint and records request on cases the viewer sees, soonest due first; a clock
    names only cases and events the viewer sees."""
    with uow:
        vis = Visibility(uow, viewer)
        events = vis.events(uow.records.events_of_types([t.value for t in CLOCK_EVENT_TYPES]))
        institutions = uow.records.institutions_by_id()
        found = deadlines(events, institutions, today=today, clock_book=uow.rulebook.clock_book)
        return vis.due_dates(found, {e.id for e in events})


def export_visible(uow: StaffUnitOfWork, viewer: User, at: datetime) -> dict[str, Any]:
    """Every record of the cases this viewer may see, as an interchange document; the export is audited."""
    with uow:
        if not allows(viewer.role, Permission.EXPORT):
            raise NotAllowed("Your role may not export case files.")
        everything = uow.records.all_records()
        vis = Visibility(uow, viewer)
        visible = {c.id for c in everything.cases if vis.sees(c.id)}
        events = tuple(vis.events(everything.events))
        people_ids = {c.person_id for c in everything.cases if c.id in visible}
        people_ids |= {ref for e in events for f in e.spec.fields if f.kind.value in ("person", "people")
                       for ref in e.refs(f.name)}
        source_ids = {c.source_id for e in events for c in e.citations}
        chosen = CaseFile(
            people=tuple(p for p in everything.people if p.id in people_ids),
            institutions=everything.institutions,
            sources=tuple(s for s in everything.sources if s.id in source_ids),
            cases=tuple(c for c in everything.cases if c.id in visible),
            events=events,
        )
        audit.note(uow, viewer, audit.AuditAction.EXPORT, "case_file", "all", at,
                   f"{len(chosen.cases)} case(s), {len(chosen.events)} event(s)")
        uow.commit()
    return case_file_to_dict(chosen)
