"""What one viewer may see of the record: the one place that hides cases restricted away from them.

A case the viewer may not see does not exist for them: its id is taken out of every event shown, a due date
that concerns only hidden cases is left out, and a finding that rests on a hidden case is evaluated again over
what the viewer sees (so its explanation and events say nothing of the hidden case), or left out when nothing of
it remains. Every read service that shows more than one case's facts passes them through a `Visibility`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from dutycare.domain.errors import InvalidInput, NotFound, Problem
from dutycare.domain.events import Event
from dutycare.jurisdictions.deadlines import DueDate
from dutycare.rules.evaluate import evaluate_view
from dutycare.rules.model import EvalContext, Finding, Scope
from dutycare.rules.views import CaseView
from dutycare.service_layer.access import Access, sees_case
from dutycare.service_layer.accounts import StaffUnitOfWork, User
from dutycare.service_layer.findings import finding_row, institution_findings
from dutycare.service_layer.queries import FindingRow


class Visibility:
    """Which cases a viewer sees, asked of the open unit of work once per case."""

    def __init__(self, uow: StaffUnitOfWork, viewer: User) -> None:
        self.uow = uow
        self.viewer = viewer
        self._seen: dict[str, bool] = {}

    def sees(self, case_id: str) -> bool:
        """Whether the viewer may see this case (a case that does not exist is not seen)."""
        if case_id not in self._seen:
            access = self.uow.views.case_access(case_id)
            self._seen[case_id] = sees_case(self.viewer.role, self.viewer.id, access.restricted, access.user_ids)
        return self._seen[case_id]

    def require_case(self, case_id: str, *, exists: bool = False) -> Access:
        """The access of a case the viewer may see; NotFound when it does not exist (``exists``: the caller has
        just read it) or is hidden from them."""
        if not exists:
            self.uow.records.case(case_id)
        access = self.uow.views.case_access(case_id)
        self._seen[case_id] = sees_case(self.viewer.role, self.viewer.id, access.restricted, access.user_ids)
        if not self._seen[case_id]:
            raise NotFound(f"There is no case '{case_id}'.")
        return access

    def event(self, event: Event) -> Event | None:
        """The event with only the cases the viewer sees, or None when it belongs to none of them."""
        shown = tuple(c for c in event.case_ids if self.sees(c))
        if not shown:
            return None
        return event if len(shown) == len(event.case_ids) else replace(event, case_ids=shown)

    def events(self, events: Iterable[Event]) -> list[Event]:
        """The events the viewer sees, each naming only visible cases."""
        return [shown for e in events if (shown := self.event(e)) is not None]

    def require_event(self, event_id: str) -> Event:
        """The event as the viewer sees it; NotFound when it belongs to no case they see."""
        shown = self.event(self.uow.records.event(event_id))
        if shown is None:
            raise NotFound(f"There is no event '{event_id}'.")
        return shown

    def check_writable_cases(self, case_ids: Iterable[str], kept: Iterable[str] = ()) -> None:
        """Refuse a write that names a case the writer may not see (``kept``: hidden cases it already had)."""
        allowed = set(kept)
        hidden = [c for c in case_ids if c not in allowed and self.uow.records.has("case", c) and not self.sees(c)]
        if hidden:
            raise InvalidInput([Problem("event", "cases", f"no such case: {', '.join(hidden)}")])

    def due_dates(self, found: Iterable[DueDate], visible_event_ids: set[str]) -> list[DueDate]:
        """Due dates of complaints the viewer sees, naming only visible cases and events."""
        out = []
        for d in found:
            cases = tuple(c for c in d.case_ids if self.sees(c))
            if d.case_ids and not cases:
                continue
            met_by = d.met_by if d.met_by in visible_event_ids else None
            out.append(replace(d, case_ids=cases, met_by=met_by, met_on=d.met_on if met_by else None,
                               evidence_ids=tuple(e for e in d.evidence_ids if e in visible_event_ids),
                               extensions_ignored=tuple(e for e in d.extensions_ignored if e in visible_event_ids)))
        return out

    def findings(self, rows: Iterable[FindingRow]) -> list[FindingRow]:
        """Stored findings as the viewer may see them: whole, evaluated again without hidden cases, or left out."""
        out: dict[str, FindingRow] = {}
        for row in rows:
            visible = [c for c in row.case_ids if self.sees(c)]
            if len(visible) == len(row.case_ids):
                out.setdefault(row.key, row)
            elif visible:
                for again in self._reevaluated(row, visible):
                    out.setdefault(again.key, again)
        return list(out.values())

    def _reevaluated(self, row: FindingRow, visible_cases: list[str]) -> list[FindingRow]:
        """The rule of a finding that rests partly on hidden cases, run again over the visible part only."""
        book = self.uow.rulebook
        rule = book.rule(row.rule_id)
        if rule is None:
            return []
        at = self.uow.now().isoformat()
        institutions = self.uow.records.institutions_by_id()
        if rule.scope is Scope.INSTITUTION:
            if row.institution_id is None or row.institution_id not in institutions:
                return []
            found = institution_findings(self.uow, row.institution_id, [rule], institutions,
                                         event_filter=self.events, finding_filter=self._whole)
        else:
            ctx = EvalContext(self.uow.today(), book.clock_book)
            by_case = self.uow.records.events_by_case(visible_cases, facts_only=True)
            anchors = set(row.event_ids)
            found = [f for c in visible_cases
                     for f in evaluate_view(CaseView(c, self.events(by_case.get(c, [])), institutions), [rule], ctx)
                     if anchors.intersection(f.event_ids)]
        return [finding_row(f, rule.scope.value, at) for f in found]

    def _whole(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if all(self.sees(c) for c in f.case_ids)]
