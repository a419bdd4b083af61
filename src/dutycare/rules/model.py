"""Rules, the findings they produce, and the vocabulary both use."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Any, NamedTuple

from dutycare.domain.events import Event, EventType
from dutycare.jurisdictions.clocks import ClockBook, LegalBasis

__all__ = ["Certainty", "EvalContext", "Finding", "Hit", "LegalBasis", "Rule", "RulePack", "Scope", "Severity",
           "finding_key", "rule_sort_key"]


class Severity(StrEnum):
    """How grave a finding is."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Certainty(StrEnum):
    """Whether the record establishes a finding, or only allows it because some dates are not precise enough."""

    ESTABLISHED = "established"
    POSSIBLE = "possible"


class Scope(StrEnum):
    """What a rule looks at: one case's timeline, one complaint or request, or one institution across cases."""

    CASE = "case"
    COMPLAINT = "complaint"
    INSTITUTION = "institution"


@dataclass(frozen=True)
class EvalContext:
    """What every rule may know besides the record: the day of evaluation and the clock rules."""

    today: date
    clock_book: ClockBook | None = None


class Hit(NamedTuple):
    """What a rule's check found, before the evaluator stamps it with the rule's id and severity."""

    certainty: Certainty
    events: tuple[Event, ...]
    case_ids: tuple[str, ...]
    explanation_ru: str
    explanation_en: str
    institution_id: str | None = None


def finding_key(rule_id: str, event_ids: Iterable[str], case_ids: Iterable[str],
                institution_id: str | None = None) -> str:
    """A reproducible identity: the same rule over the same events, cases (and institution) gives the same key.

    The institution tells apart findings that rest on the same events, e.g. one complaint late at two addressees.
    """
    parts = [rule_id, _joined(event_ids), _joined(case_ids)]
    if institution_id is not None:
        parts.append(institution_id)
    text = "\x1f".join(parts)
    return hashlib.sha256(text.encode()).hexdigest()


def _joined(ids: Iterable[str]) -> str:
    """The ids sorted and joined with the record separator (a lone id in a tuple needs neither)."""
    if isinstance(ids, tuple) and len(ids) == 1:
        return ids[0]
    return "\x1e".join(sorted(ids))


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's conclusion about the record, with the events that trigger it and a plain explanation in ru and en.

    Slotted: a full evaluation keeps hundreds of thousands, and without a ``__dict__`` each takes less memory.
    """

    rule_id: str
    severity: Severity
    certainty: Certainty
    case_ids: tuple[str, ...]
    event_ids: tuple[str, ...]
    explanation_ru: str
    explanation_en: str
    institution_id: str | None = None
    legal_basis: tuple[LegalBasis, ...] = ()
    key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", finding_key(self.rule_id, self.event_ids, self.case_ids, self.institution_id))


CheckFn = Callable[[Any, EvalContext], Iterable[Hit]]
"""A rule's predicate: given a view of the record (a case view or an institution view) it yields hits."""


@dataclass(frozen=True)
class Rule:
    """A declarative rule: what it finds, on what legal basis, what does and does not trigger it, and its check."""

    id: str
    title_ru: str
    title_en: str
    severity: Severity
    scope: Scope
    legal_basis: tuple[LegalBasis, ...]
    description: str
    fires_when: str
    does_not_fire: tuple[str, ...]
    check: CheckFn = field(repr=False, compare=False)
    jurisdiction: str = "RU"
    uses: tuple[str, ...] = ()
    """For institution rules: the ids of the case rules whose findings the check reads."""
    reads: tuple[EventType, ...] | None = None
    """For institution rules: the event types the check reads besides those findings' events (None: all)."""

    def findings(self, view: Any, ctx: EvalContext) -> list[Finding]:
        """Run the check over a view and turn its hits into findings of this rule."""
        return [self.finding(hit) for hit in self.check(view, ctx)]

    def finding(self, hit: Hit) -> Finding:
        """Stamp one hit with this rule; events are listed in timeline order and cases in sorted order."""
        if len(hit.events) == 1:
            event_ids: tuple[str, ...] = (hit.events[0].id,)
        else:
            event_ids = tuple(e.id for e in sorted({e.id: e for e in hit.events}.values(), key=_order))
        cases = hit.case_ids if len(hit.case_ids) == 1 else tuple(sorted(set(hit.case_ids)))
        return Finding(self.id, self.severity, hit.certainty, cases, event_ids, hit.explanation_ru,
                       hit.explanation_en, hit.institution_id, self.legal_basis)


_order = attrgetter("date.earliest", "date.latest", "id")
"""The order of ``timeline_key`` as a C-level key: findings are many, and this sort runs for each."""


@dataclass(frozen=True)
class RulePack:
    """A named set of rules for one jurisdiction, contributed by a plug-in."""

    name: str
    jurisdiction: str
    rules: tuple[Rule, ...]
    description: str = ""


def rule_sort_key(rule_id: str) -> tuple[str, int, str]:
    """Natural order of rule ids: R2 before R10; ids without a number sort by text."""
    head = rule_id.rstrip("0123456789")
    digits = rule_id[len(head):]
    return (head, int(digits) if digits else -1, rule_id)
