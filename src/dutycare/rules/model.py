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

    The SHA-256 of the rule id, the sorted event ids, the sorted case ids and the institution id if any, joined
    with the unit separator, each list joined with the record separator. The institution tells apart findings that
    rest on the same events, e.g. one complaint late at two addressees.
    """
    events = event_ids[0] if isinstance(event_ids, tuple) and len(event_ids) == 1 else "\x1e".join(sorted(event_ids))
    cases = case_ids[0] if isinstance(case_ids, tuple) and len(case_ids) == 1 else "\x1e".join(sorted(case_ids))
    text = f"{rule_id}\x1f{events}\x1f{cases}" if institution_id is None else \
        f"{rule_id}\x1f{events}\x1f{cases}\x1f{institution_id}"
    return _sha256(text.encode()).hexdigest()


_sha256 = hashlib.sha256


class _FindingFields(NamedTuple):
    rule_id: str
    severity: Severity
    certainty: Certainty
    case_ids: tuple[str, ...]
    event_ids: tuple[str, ...]
    explanation_ru: str
    explanation_en: str
    institution_id: str | None
    legal_basis: tuple[LegalBasis, ...]
    key: str


_new_tuple = tuple.__new__


class Finding(_FindingFields):
    """A rule's conclusion about the record, with the events that trigger it and a plain explanation in ru and en.

    Immutable, with its ``key`` computed from the rule, events, cases and institution when it is made. A named
    tuple rather than a frozen dataclass: a full evaluation makes hundreds of thousands, and a tuple is built in
    one step where a frozen dataclass sets each of its ten fields through ``object.__setattr__`` (5.0 → 2.4 µs a
    finding, most of what is left the key). Read it by field name; ``_replace`` is refused, as it would keep a stale
    key.
    """

    __slots__ = ()

    def __new__(cls, rule_id: str, severity: Severity, certainty: Certainty, case_ids: tuple[str, ...],
                event_ids: tuple[str, ...], explanation_ru: str, explanation_en: str,
                institution_id: str | None = None, legal_basis: tuple[LegalBasis, ...] = ()) -> Finding:
        return _new_tuple(cls, (rule_id, severity, certainty, case_ids, event_ids, explanation_ru, explanation_en,
                                institution_id, legal_basis, finding_key(rule_id, event_ids, case_ids,
                                                                          institution_id)))

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self[:9])

    def without_explanations(self) -> Finding:
        """The same finding with empty explanations and the same key (which does not depend on them): what is kept
        of a case finding for institution rules, which read its rule, events and cases, not its texts (two
        thirds of a finding's size)."""
        return _new_tuple(Finding, (*self[:5], "", "", *self[7:]))

    def _replace(self, /, **changes: Any) -> Finding:
        raise TypeError("a finding is not changed: make a new one, which computes its key")


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
            # Sorted, then each id once: an id's events sort together (the order ends with the id), so this is the
            # order of the distinct events, made in C (an institution finding names thousands).
            event_ids = tuple(dict.fromkeys(map(_id, sorted(hit.events, key=_order))))
        cases = hit.case_ids if len(hit.case_ids) == 1 else tuple(sorted(set(hit.case_ids)))
        return Finding(self.id, self.severity, hit.certainty, cases, event_ids, hit.explanation_ru,
                       hit.explanation_en, hit.institution_id, self.legal_basis)


_order = attrgetter("date.earliest", "date.latest", "id")
"""The order of ``timeline_key`` as a C-level key: findings are many, and this sort runs for each."""
_id = attrgetter("id")


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
