"""Findings kept current: re-evaluated inside the unit of work of every write, and read back for display."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from dutycare.domain.events import EVENT_SPECS, Event, EventType
from dutycare.domain.model import CaseFile, Institution
from dutycare.jurisdictions.deadlines import DueDate, deadlines
from dutycare.rules.evaluate import evaluate_institution, evaluate_view
from dutycare.rules.model import Certainty, EvalContext, Finding, Rule, Scope, Severity
from dutycare.rules.views import CaseView, family_of
from dutycare.service_layer.changes import Change
from dutycare.service_layer.ports import UnitOfWork
from dutycare.service_layer.queries import FindingRow
from dutycare.service_layer.rulebook import RuleBook as RuleBook

PER_CASE = (Scope.CASE.value, Scope.COMPLAINT.value)
BATCH = 500


def finding_row(f: Finding, scope: str, at: str) -> FindingRow:
    """A finding as stored."""
    return FindingRow(f.key, f.rule_id, scope, f.severity.value, f.certainty.value, f.case_ids, f.event_ids,
                      f.institution_id, f.explanation_ru, f.explanation_en, at)


def finding_of(r: FindingRow, book: RuleBook) -> Finding:
    """A stored finding with its rule's legal basis."""
    rule = book.rule(r.rule_id)
    return Finding(r.rule_id, Severity(r.severity), Certainty(r.certainty), r.case_ids, r.event_ids,
                   r.explanation_ru, r.explanation_en, r.institution_id, rule.legal_basis if rule else ())


def _ancestors(institution_id: str, institutions: Mapping[str, Institution]) -> list[str]:
    chain, seen = [], set()
    current: str | None = institution_id
    while current and current in institutions and current not in seen:
        seen.add(current)
        chain.append(current)
        current = institutions[current].parent_id
    return chain


def refresh_findings(uow: UnitOfWork, case_ids: Iterable[str], institution_ids: Iterable[str] = ()) -> int:
    """Re-evaluate the findings of these cases, and of the institutions their events (or ``institution_ids``)
    name; return how many.

    Rules read only the non-identifying facts of events, so nothing is decrypted here and no explanation can carry
    identifying text; findings are stored batch by batch, so memory stays flat however many cases are refreshed.
    """
    book, today = uow.rulebook, uow.today()
    ids = sorted(set(case_ids))
    touched = set(institution_ids)
    if not ids and not touched:
        return 0
    institutions = uow.records.institutions_by_id()
    ctx = EvalContext(today, book.clock_book)
    per_case = [r for r in book.rules if r.scope.value in PER_CASE]
    at = uow.now().isoformat()
    count = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        by_case = uow.records.events_by_case(chunk, facts_only=True)
        rows = []
        for case_id in chunk:
            events = by_case.get(case_id, [])
            touched |= {e.institution_id for e in events if e.institution_id}
            rows += [finding_row(f, book.scope_of(f.rule_id), at)
                     for f in evaluate_view(CaseView(case_id, events, institutions), per_case, ctx)]
        uow.findings.replace_for_cases(chunk, PER_CASE, rows)
        count += len(rows)
    return count + _refresh_institutions(uow, touched, institutions, at)


def facts_of(event: Event) -> Event:
    """An event as rules see it: its non-identifying details only, in declared order, without summary or citations
    (what the repository gives for ``facts_only``)."""
    details = event.details
    kept = {f.name: details[f.name] for f in EVENT_SPECS[event.type].fields if f.name in details and not f.sensitive}
    return Event(event.id, event.type, event.date, event.case_ids, (), event.institution_id, None, kept)


class ImportFindings:
    """Case findings of the cases an import creates, evaluated from the events as they are written.

    A large import writes cases with their events close together, so a case not touched for ``lag`` batches is
    taken as complete: it is evaluated from the facts held here and let go, which keeps memory flat and spares
    reading every event back. Its findings go to ``put`` with the records (their keys are new: no finding of a new
    case can be stored yet). A finding of several cases (a joint complaint) is reached once from each case, and
    goes to ``put`` as the last one reaches it; one not reached from all its cases is stored at the end. A case
    touched again after it was evaluated, or one that existed before the import, is left for `refresh_findings`
    (``stale``), as are the institutions the events name (``touched``); the result is the same as refreshing every
    written case afterwards.
    """

    def __init__(self, uow: UnitOfWork, put: Callable[[list[FindingRow]], None], sync: Callable[[], None],
                 lag: int = 2) -> None:
        self.uow = uow
        self.put = put
        self.sync = sync
        self.lag = lag
        book = uow.rulebook
        self.ctx = EvalContext(uow.today(), book.clock_book)
        self.rules = [r for r in book.rules if r.scope.value in PER_CASE]
        self.at = uow.now().isoformat()
        self.institutions: dict[str, Institution] = {}
        self.open: dict[str, list[Event]] = {}
        self.last_seen: dict[str, int] = {}
        self.stale: set[str] = set()
        self.touched: set[str] = set()
        # Findings of several cases not reached from all of them yet: the last row reached, and the cases still to.
        self.joint: dict[str, tuple[FindingRow, set[str]]] = {}
        self.batches = 0
        self.count = 0

    def start(self) -> None:
        """Read the institutions already stored (before anything is written on a connection shared with a sender)."""
        self.institutions = self.uow.records.institutions_by_id()

    def add(self, batch: CaseFile) -> None:
        """Take a written batch: hold its cases' facts, evaluate the cases left untouched for ``lag`` batches."""
        self.batches += 1
        self.institutions.update((i.id, i) for i in batch.institutions)
        for case in batch.cases:
            self.open[case.id] = []
            self.last_seen[case.id] = self.batches
        for event in batch.events:
            if event.institution_id:
                self.touched.add(event.institution_id)
            facts = facts_of(event)
            for case_id in event.case_ids:
                held = self.open.get(case_id)
                if held is None:
                    self.stale.add(case_id)
                else:
                    held.append(facts)
                    self.last_seen[case_id] = self.batches
        self._evaluate([c for c, n in self.last_seen.items() if n <= self.batches - self.lag])

    def _evaluate(self, case_ids: list[str]) -> None:
        book, own = self.uow.rulebook, []
        for case_id in case_ids:
            events = self.open.pop(case_id)
            del self.last_seen[case_id]
            if case_id in self.stale:
                continue
            for f in evaluate_view(CaseView(case_id, events, self.institutions), self.rules, self.ctx):
                row = finding_row(f, book.scope_of(f.rule_id), self.at)
                if len(row.case_ids) > 1:
                    # Final once every case it names has reached it (the last reach is the one kept); until then
                    # it waits, and one whose cases are not all reached waits to the end.
                    _, waiting = self.joint.get(row.key) or (row, set(row.case_ids))
                    waiting.discard(case_id)
                    if waiting:
                        self.joint[row.key] = row, waiting
                        continue
                    self.joint.pop(row.key, None)
                own.append(row)
        if own:
            self.put(own)
            self.count += len(own)

    def refresh_rest(self) -> int:
        """Evaluate the cases still held, store the joint findings, then refresh the stale cases and the touched
        institutions from the database; return how many findings were stored."""
        self._evaluate(list(self.open))
        self.sync()
        self.uow.findings.store([row for row, _ in self.joint.values()])
        return self.count + len(self.joint) + refresh_findings(self.uow, self.stale, self.touched)


def _refresh_institutions(uow: UnitOfWork, touched: set[str], institutions: dict[str, Institution],
                          at: str) -> int:
    """Institution findings of every institution above the touched ones that made a public statement.

    Each speaker reads only what institution rules declare they read: its family's events of the rules' ``reads``
    types, and the findings of the rules they ``use`` with those findings' events at the family. Memory is bounded
    by those, not by every event at a large institution.
    """
    book = uow.rulebook
    rules = [r for r in book.rules if r.scope is Scope.INSTITUTION]
    speakers = sorted({a for inst in touched for a in _ancestors(inst, institutions)})
    if not rules or not speakers:
        return 0
    speaking = {e.institution_id for e in uow.records.event_facts_at_institutions(
        speakers, [EventType.PUBLIC_STATEMENT.value])}
    rows = []
    for speaker in (s for s in speakers if s in speaking):
        found = institution_findings(uow, speaker, rules, institutions)
        rows += [finding_row(f, Scope.INSTITUTION.value, at) for f in found]
    uow.findings.replace_for_institutions(speakers, Scope.INSTITUTION.value, rows)
    return len(rows)


def _read_types(rules: Sequence[Rule]) -> list[str] | None:
    reads = [r.reads for r in rules]
    return None if None in reads else sorted({EventType.PUBLIC_STATEMENT.value,
                                             *(x.value for kinds in reads for x in kinds or ())})


def institution_findings(uow: UnitOfWork, speaker: str, rules: Sequence[Rule], institutions: dict[str, Institution],
                         *, event_filter: Callable[[list[Event]], list[Event]] | None = None,
                         finding_filter: Callable[[list[Finding]], list[Finding]] | None = None) -> list[Finding]:
    """The institution rules' findings about one speaker, from its family's events and the stored case findings
    the rules use; the filters narrow both (to what one viewer may see)."""
    book, types = uow.rulebook, _read_types(rules)
    family = family_of(speaker, institutions)
    used = {rule_id for r in rules for rule_id in r.uses}
    events = {e.id: e for e in uow.records.event_facts_at_institutions(family, types)}
    stored = [finding_of(r, book) for r in uow.findings.of_rules_at_institutions(used, family)]
    if finding_filter is not None:
        stored = finding_filter(stored)
    missing = {i for f in stored for i in f.event_ids} - events.keys()
    events.update((e.id, e) for e in uow.records.event_facts_by_id(missing) if e.institution_id in family)
    if event_filter is not None:
        events = {e.id: e for e in event_filter(list(events.values()))}
    relevant = [f for f in stored if not events.keys().isdisjoint(f.event_ids)]
    return evaluate_institution(institutions[speaker], events.values(), institutions, rules=rules, today=uow.today(),
                                case_findings=relevant)


def rebuild_all(uow: UnitOfWork) -> list[FindingRow]:
    """Drop every stored finding and evaluate every case again, inside the caller's open unit of work (the caller
    commits); return the findings that differed, as stored before or as evaluated now, so a finding altered,
    added or deleted outside dutycare (or one that time has changed) is named."""
    def content(r: FindingRow) -> tuple[object, ...]:
        return (r.rule_id, r.scope, r.severity, r.certainty, tuple(sorted(r.case_ids)), tuple(sorted(r.event_ids)),
                r.institution_id, r.explanation_ru, r.explanation_en)

    before = {r.key: r for r in uow.findings.all()}
    uow.findings.clear()
    refresh_findings(uow, uow.records.all_case_ids())
    after = {r.key: r for r in uow.findings.all()}
    changed = [after.get(k) or before[k] for k in sorted(before.keys() | after.keys())
               if k not in before or k not in after or content(before[k]) != content(after[k])]
    return changed


def refresh_all(uow: UnitOfWork) -> int:
    """Re-evaluate every case from scratch (e.g. daily, so that deadlines passing become findings)."""
    with uow:
        count = refresh_findings(uow, uow.records.all_case_ids())
        uow.commit()
    return count


def case_findings(uow: UnitOfWork, case_id: str) -> list[Finding]:
    """The stored findings of one case (including joint-complaint and institution findings that name it)."""
    with uow:
        uow.records.case(case_id)
        rows = uow.findings.for_cases([case_id])
    return sorted((finding_of(r, uow.rulebook) for r in rows), key=_display_order)


def all_findings(uow: UnitOfWork) -> list[Finding]:
    """Every stored finding."""
    with uow:
        rows = uow.findings.all()
    return sorted((finding_of(r, uow.rulebook) for r in rows), key=_display_order)


_SEVERITY_RANK = {Severity.HIGH.value: 0, Severity.MEDIUM.value: 1, Severity.LOW.value: 2}


def display_order(severity: str, rule_id: str, key: str) -> tuple[int, str, str]:
    """The order findings are shown in everywhere: most severe first, then by rule, then by key."""
    return _SEVERITY_RANK.get(severity, 3), rule_id, key


def _display_order(f: Finding) -> tuple[int, str, str]:
    return display_order(f.severity.value, f.rule_id, f.key)


def list_deadlines(uow: UnitOfWork, today: date | None = None) -> list[DueDate]:
    """What is due or overdue across all cases, soonest first."""
    with uow:
        events = uow.records.events_of_types((EventType.COMPLAINT, EventType.COMPLAINT_REGISTERED,
                                              EventType.COMPLAINT_FORWARDED, EventType.COMPLAINT_EXTENDED,
                                              EventType.COMPLAINT_ANSWERED, EventType.RECORDS_REQUESTED,
                                              EventType.RECORDS_PROVIDED))
        institutions = uow.records.institutions_by_id()
        when = today or uow.today()
    return deadlines(events, institutions, today=when, clock_book=uow.rulebook.clock_book)


def affected_cases(changes: Iterable[Change]) -> set[str]:
    """The cases whose findings a set of changes may alter."""
    out: set[str] = set()
    for change in changes:
        if change.entity == "case":
            out.add(change.entity_id)
        elif change.entity == "event":
            event = change.record.get("withdrawn", change.record)
            cases = event.get("cases", []) if isinstance(event, Mapping) else []
            out |= {str(c) for c in cases} if isinstance(cases, list) else set()
    return out


def events_of(findings: Iterable[Finding]) -> set[str]:
    """Every event id the findings rest on."""
    return {e for f in findings for e in f.event_ids}

