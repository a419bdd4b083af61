"""What staff see of cases: lists narrowed by access, filters and search; case pages; identifying reads; export.

Every function takes the viewer and applies the role table and case restrictions itself, so the web pages and
the API cannot forget to. Cases a viewer may not see are reported as not found, never as forbidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from dutycare.domain.errors import InvalidInput, NotAllowed, NotFound, Problem
from dutycare.domain.events import Event, EventType
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.interchange import case_file_to_dict
from dutycare.domain.limits import MAX_OFFSET
from dutycare.domain.model import CaseFile, Person, Timeline
from dutycare.jurisdictions.deadlines import DueDate, deadlines, due_within, known_on
from dutycare.rules.evaluate import evaluate_view
from dutycare.rules.model import EvalContext, Finding, Scope
from dutycare.rules.views import CaseView
from dutycare.service_layer import access_log, audit
from dutycare.service_layer.access import Access as Access
from dutycare.service_layer.access import Permission, User, allows
from dutycare.service_layer.audit import iso
from dutycare.service_layer.findings import PER_CASE, display_order, finding_of, finding_row
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
class CitedEvent:
    """An event a finding rests on, with the visible case whose page shows it (for a link that works)."""

    event: Event
    case_id: str


@dataclass(frozen=True)
class CasePage:
    """Everything a case page shows (identifying person fields excepted: those are read apart, audited)."""

    timeline: Timeline
    access: Access
    findings: list[FindingView]
    due_dates: list[DueDate]
    evidence: dict[str, list[EvidenceFile]] = field(default_factory=dict)
    cited: dict[str, CitedEvent] = field(default_factory=dict)
    """The events findings and due dates name, as the viewer sees them; one they may not see is not here."""
    people: dict[str, str] = field(default_factory=dict)
    """The pseudonyms of the people the timeline's events name, by id."""
    as_of: date | None = None
    """The day findings and due dates were judged on when it was chosen (None: today, findings as stored)."""
    adders: dict[str, str] = field(default_factory=dict)
    """The display name of each staff account that added an evidence file, by the name the file records."""

    @property
    def complaints(self) -> list[Event]:
        """The complaints on this case's timeline."""
        return [e for e in self.timeline.events if e.type is EventType.COMPLAINT]


def list_cases(uow: StaffUnitOfWork, viewer: User, query: CaseQuery, limit: int = 50,
               offset: int = 0) -> tuple[list[CaseRow], int]:
    """A page of the cases this viewer may see that match the query, and how many match in all.

    A text search counts up to SEARCH_COUNT_LIMIT + 1 cases: a common word is in most cases, and counting them all
    would cost many pages' worth of work (`total_is_exact` says whether the count stopped there)."""
    _check_query(query)
    with uow:
        return _matching_cases(uow, viewer, query, limit, offset)


def case_list_page(uow: StaffUnitOfWork, viewer: User, query: CaseQuery, limit: int = 50,
                   offset: int = 0) -> tuple[list[CaseRow], int, FilterChoices]:
    """What the case-list page shows: `list_cases` and `filter_choices`, read in one transaction."""
    _check_query(query)
    with uow:
        rows, total = _matching_cases(uow, viewer, query, limit, offset)
        return rows, total, uow.views.filter_choices(viewer)


def _check_query(query: CaseQuery) -> None:
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise InvalidInput([Problem("filter", "date_to", "must not be before the start date")])


def _matching_cases(uow: StaffUnitOfWork, viewer: User, query: CaseQuery, limit: int,
                    offset: int) -> tuple[list[CaseRow], int]:
    """`list_cases` inside the caller's open unit of work."""
    limit = max(1, min(limit, MAX_PAGE))
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
        return uow.views.filter_choices(viewer)


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


def case_page(uow: StaffUnitOfWork, viewer: User, case_id: str, at: datetime,
              as_of: date | None = None) -> CasePage:
    """A case's timeline, findings, complaints with their due dates, and evidence, for a viewer allowed to see it;
    the read is audited in the same transaction.

    Nothing of a case hidden from the viewer shows: events shared with one name only the visible cases, and
    findings that rest on one are evaluated again without it. Due dates are judged as of the unit of work's day,
    or as of ``as_of``, when findings are evaluated again as of that day too, from what the record held then.
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
        day = as_of or uow.today()
        if as_of is None:
            stored = vis.findings(uow.findings.for_case(case_id))
        else:
            stored = findings_as_of(uow, vis, [case_id], as_of, at)
        cited = _cited_events(uow, vis, case_id, timeline.events, {e for f in stored for e in f.event_ids})
        people = _pseudonyms(uow, timeline)
        adders = _adders(uow, {ev.added_by for files in evidence.values() for ev in files})
        audit.note(uow, viewer, audit.AuditAction.READ_CASE, "case", case_id, at)
        uow.commit()
    due = deadlines(known_on(timeline.events, day), institutions, today=day, clock_book=uow.rulebook.clock_book)
    return CasePage(timeline, access, _stored_finding_views(stored, uow.rulebook), due, evidence, cited=cited,
                    people=people, as_of=as_of, adders=adders)


def _cited_events(uow: StaffUnitOfWork, vis: Visibility, case_id: str, own: Iterable[Event],
                  wanted: set[str]) -> dict[str, CitedEvent]:
    """The events of this case, and those of other cases that findings name and the viewer may see."""
    out = {e.id: CitedEvent(e, case_id) for e in own}
    for event_id in sorted(wanted - out.keys()):
        try:
            shown = vis.event(uow.records.event(event_id))
        except NotFound:
            continue
        if shown is not None:
            out[event_id] = CitedEvent(shown, shown.case_ids[0])
    return out


def _pseudonyms(uow: StaffUnitOfWork, timeline: Timeline) -> dict[str, str]:
    """The pseudonym of every person the case's events name (pseudonyms are what pages show of people)."""
    ids = {timeline.person.id} | {ref for e in timeline.events for f in e.spec.fields
                                  if f.kind.value in ("person", "people") for ref in e.refs(f.name)}
    out = {timeline.person.id: timeline.person.pseudonym}
    for person_id in sorted(ids - out.keys()):
        try:
            out[person_id] = uow.records.person(person_id).pseudonym
        except NotFound:
            continue
    return out


def findings_as_of(uow: StaffUnitOfWork, vis: Visibility, case_ids: list[str], day: date,
                   at: datetime) -> list[FindingRow]:
    """The findings of these (visible) cases judged as of ``day`` over what the viewer sees of the record as it
    stood then; institution findings, which no clock moves, as stored (inside the caller's unit of work)."""
    book = uow.rulebook
    institutions = uow.records.institutions_by_id()
    ctx = EvalContext(day, book.clock_book)
    rules = [r for r in book.rules if r.scope.value in PER_CASE]
    stamp = iso(at)
    out: dict[str, FindingRow] = {}
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        by_case = uow.records.events_by_case(chunk, facts_only=True)
        for c in chunk:
            view = CaseView(c, known_on(vis.events(by_case.get(c, [])), day), institutions)
            for f in evaluate_view(view, rules, ctx):
                out.setdefault(f.key, finding_row(f, book.scope_of(f.rule_id), stamp))
    kept = [r for r in vis.findings(uow.findings.for_cases(case_ids)) if r.scope == Scope.INSTITUTION.value]
    return [*out.values(), *(r for r in kept if r.key not in out)]


def display_names(uow: StaffUnitOfWork, names: set[str]) -> dict[str, str]:
    """The display names of these accounts (an account without one, or gone, keeps its name)."""
    with uow:
        return {who: shown if (shown := _adders(uow, {who})[who]) else who for who in names}


def _adders(uow: StaffUnitOfWork, recorded: set[str]) -> dict[str, str]:
    """Display names for the accounts evidence records name ("web:NAME", "cli:NAME"); others stay as recorded."""
    out = {}
    for who in recorded:
        _, _, name = who.rpartition(":")
        found = uow.access.user_by_name(name) if name else None
        out[who] = found[0].display_name if found else who
    return out


def case_access(uow: StaffUnitOfWork, viewer: User, case_id: str) -> Access:
    """Whether a case is restricted and to whom, for those who may change it."""
    if not allows(viewer.role, Permission.CASE_RESTRICT):
        raise NotAllowed("Your role may not change who sees a case.")
    with uow:
        return Visibility(uow, viewer).require_case(case_id)


def visible_findings(uow: StaffUnitOfWork, viewer: User, case_id: str | None = None,
                     as_of: date | None = None, at: datetime | None = None) -> list[Finding]:
    """The findings of one case, or of every case, as this viewer may see them, most severe first; as stored, or
    judged again as of ``as_of`` (see `findings_as_of`)."""
    with uow:
        vis = Visibility(uow, viewer)
        if case_id is not None:
            vis.require_case(case_id)
        if as_of is not None:
            cases = [case_id] if case_id is not None else [c for c in uow.records.all_case_ids() if vis.sees(c)]
            rows = findings_as_of(uow, vis, cases, as_of, at or uow.now())
        else:
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
        apply_case_access(uow, actor, case_id, restricted, user_ids, at)
        uow.commit()
        return uow.views.case_access(case_id)


def apply_case_access(uow: StaffUnitOfWork, actor: User, case_id: str, restricted: bool, user_ids: frozenset[str],
                      at: datetime) -> None:
    """Store a case's restriction, with its access-log and audit entries, in the caller's open unit of work (the
    caller has checked the actor may, and that the users exist)."""
    uow.views.set_case_access(case_id, restricted, user_ids, audit_at(at), actor.name)
    access_log.enter(uow, actor.name, "case_access", case_id)
    detail = ("restricted" if restricted else "open") + f"; named: {', '.join(sorted(user_ids)) or '—'}"
    audit.note(uow, actor, audit.AuditAction.CASE_ACCESS_CHANGED, "case", case_id, at, detail)


def audit_at(at: datetime) -> str:
    """The stored form of a time."""
    return iso(at)


def due_dates(uow: StaffUnitOfWork, viewer: User, as_of: date | None = None, *, case_id: str | None = None,
              within_days: int | None = None) -> list[DueDate]:
    """Every clock of every complaint and records request on cases the viewer sees (or on one case), judged as of
    ``as_of`` or the unit of work's day, soonest due first; a clock names only cases and events the viewer sees.
    ``within_days``: only the clocks not yet met that fall due in that many days."""
    with uow:
        return _visible_due(uow, Visibility(uow, viewer), as_of or uow.today(), case_id, within_days)


def _visible_due(uow: StaffUnitOfWork, vis: Visibility, day: date, case_id: str | None,
                 within_days: int | None) -> list[DueDate]:
    if case_id is not None:
        vis.require_case(case_id)
    events = known_on(vis.events(uow.records.events_of_types([t.value for t in CLOCK_EVENT_TYPES])), day)
    institutions = uow.records.institutions_by_id()
    found = vis.due_dates(deadlines(events, institutions, today=day, clock_book=uow.rulebook.clock_book),
                          {e.id for e in events})
    if case_id is not None:
        found = [d for d in found if case_id in d.case_ids]
    return found if within_days is None else due_within(found, day, within_days)


@dataclass(frozen=True)
class DeadlineCalendar:
    """The due dates a viewer exports as a calendar, with the names of the bodies they concern."""

    due_dates: list[DueDate]
    institution_names: dict[str, str]
    as_of: date
    case_id: str | None = None


def deadline_calendar(uow: StaffUnitOfWork, viewer: User, at: datetime, *, as_of: date | None = None,
                      case_id: str | None = None) -> DeadlineCalendar:
    """Every due date of one case, or of every case the viewer sees, for a calendar file; the export is audited
    in the same transaction."""
    if not allows(viewer.role, Permission.DEADLINES_READ):
        raise NotAllowed("Your role may not read deadlines.")
    with uow:
        vis = Visibility(uow, viewer)
        day = as_of or uow.today()
        found = _visible_due(uow, vis, day, case_id, None)
        names = {i.id: i.name for i in uow.records.institutions_by_id().values()}
        audit.note(uow, viewer, audit.AuditAction.EXPORT, "deadlines", case_id or "all", at,
                   f"{len(found)} due date(s) as iCalendar, as of {day.isoformat()}")
        uow.commit()
    return DeadlineCalendar(found, {d.addressee_id: names.get(d.addressee_id, d.addressee_id) for d in found}, day,
                            case_id)


def events_named(uow: StaffUnitOfWork, viewer: User, event_ids: Iterable[str]) -> dict[str, Event]:
    """Those of these events the viewer may see (naming only visible cases), for text that names them."""
    out: dict[str, Event] = {}
    with uow:
        vis = Visibility(uow, viewer)
        for event_id in sorted(set(event_ids)):
            try:
                shown = vis.event(uow.records.event(event_id))
            except NotFound:
                continue
            if shown is not None:
                out[event_id] = shown
    return out


def case_titles(uow: StaffUnitOfWork, viewer: User, case_ids: Iterable[str]) -> dict[str, str]:
    """The titles of those of these cases the viewer may see (what lists show in place of ids)."""
    with uow:
        vis = Visibility(uow, viewer)
        return {c: uow.records.case(c).title for c in sorted(set(case_ids))
                if uow.records.has("case", c) and vis.sees(c)}


EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": ("id", "title", "status", "region", "opened", "person_id", "pseudonym", "summary"),
    "events": ("id", "date", "type", "cases", "institution_id", "institution", "summary", "sources"),
    "findings": ("rule", "severity", "certainty", "cases", "events", "institution_id", "explanation_ru",
                 "explanation_en"),
    "deadlines": ("subject", "cases", "addressee_id", "addressee", "clock", "due", "earliest_due", "status",
                  "met_on", "legal_basis"),
}
"""The tables a user may export as CSV, with their columns in order."""


def export_table(uow: StaffUnitOfWork, viewer: User, table: str, at: datetime) -> list[dict[str, str]]:
    """One table (cases, events, findings or deadlines) of what this viewer may see, row by row, as the JSON export
    filters it; the export is audited. Ids stay (the table is for further work); lists are joined with '; '."""
    if table not in EXPORT_COLUMNS:
        raise NotFound(f"There is no export table '{table}'.")
    with uow:
        if not allows(viewer.role, Permission.EXPORT):
            raise NotAllowed("Your role may not export case files.")
        vis = Visibility(uow, viewer)
        everything = uow.records.all_records()
        institutions = {i.id: i for i in everything.institutions}
        cases = [c for c in everything.cases if vis.sees(c.id)]
        events = vis.events(everything.events)
        if table == "cases":
            people = {p.id: p for p in everything.people}
            rows = [{"id": c.id, "title": c.title, "status": c.status.value, "region": c.region or "",
                     "opened": str(c.opened or ""), "person_id": c.person_id,
                     "pseudonym": people[c.person_id].pseudonym if c.person_id in people else "",
                     "summary": c.summary or ""} for c in cases]
        elif table == "events":
            rows = [{"id": e.id, "date": str(e.date), "type": e.type.value, "cases": "; ".join(e.case_ids),
                     "institution_id": e.institution_id or "",
                     "institution": institutions[e.institution_id].name if e.institution_id in institutions else "",
                     "summary": e.summary or "", "sources": "; ".join(c.source_id for c in e.citations)}
                    for e in events]
        elif table == "findings":
            found = vis.findings(uow.findings.all())
            rows = [{"rule": f.rule_id, "severity": f.severity, "certainty": f.certainty,
                     "cases": "; ".join(f.case_ids), "events": "; ".join(f.event_ids),
                     "institution_id": f.institution_id or "",
                     "explanation_ru": f.explanation_ru, "explanation_en": f.explanation_en}
                    for f in sorted(found, key=lambda r: display_order(r.severity, r.rule_id, r.key))]
        else:
            clocks = [e for e in events if e.type in CLOCK_EVENT_TYPES]
            found_due = deadlines(clocks, institutions, today=at.date(), clock_book=uow.rulebook.clock_book)
            rows = [{"subject": d.subject_id, "cases": "; ".join(d.case_ids), "addressee_id": d.addressee_id,
                     "addressee": institutions[d.addressee_id].name if d.addressee_id in institutions else "",
                     "clock": d.kind.value, "due": d.due.isoformat(), "earliest_due": d.earliest_due.isoformat(),
                     "status": d.status.value, "met_on": str(d.met_on or ""), "legal_basis": d.rule.legal.citation()}
                    for d in vis.due_dates(found_due, {e.id for e in clocks})]
        audit.note(uow, viewer, audit.AuditAction.EXPORT, "case_file", table, at, f"{table}: {len(rows)} row(s), csv")
        uow.commit()
    return rows


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
