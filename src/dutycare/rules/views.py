"""Read-only views of the record that rules look at: a case indexed once by event type, and an institution.

Ordering judgements use each date's widest interval (``PartialDate.bounds``): "certainly before" means every
day one date may denote precedes every day the other may denote; anything else is uncertain.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from operator import attrgetter

from dutycare.domain.events import Event, EventType
from dutycare.domain.model import Institution, Timeline
from dutycare.domain.vocabulary import DischargeCondition, FitnessCategory
from dutycare.jurisdictions.deadlines import ComplaintTrail
from dutycare.rules.model import Certainty, Finding

T = EventType
_NONE: tuple[Event, ...] = ()
_LIFECYCLE = frozenset({T.COMPLAINT_REGISTERED, T.COMPLAINT_FORWARDED, T.COMPLAINT_EXTENDED, T.COMPLAINT_ANSWERED})


_CATEGORIES = {c.value: c for c in FitnessCategory}
FIT = frozenset(c for c in FitnessCategory if c.is_fit)
"""The categories that find a person fit (А, Б), as a set: ``FitnessCategory.is_fit`` reads two members per call."""
_FITNESS_DECISION, _DISCHARGED = T.FITNESS_DECISION, T.DISCHARGED
_INJURY, _MEDICAL_FINDING = T.INJURY, T.MEDICAL_FINDING
_RECOMMENDED, _PROVIDED, _DECLINED = T.TREATMENT_RECOMMENDED, T.TREATMENT_PROVIDED, T.TREATMENT_DECLINED
_ESTABLISHED, _POSSIBLE = Certainty.ESTABLISHED, Certainty.POSSIBLE
"""Enum members as module names: on Python 3.11 reading a member off its class takes ten times as long."""


def category(event: Event) -> FitnessCategory | None:
    """A fitness decision's category, by dictionary lookup (``Event.fitness_category`` builds an enum per call)."""
    if event.type is not _FITNESS_DECISION:
        return None
    value = event.details.get("category")
    return _CATEGORIES.get(value) if isinstance(value, str) else None


def normalise(text: str) -> str:
    """A treatment name folded for matching: case-folded, whitespace collapsed."""
    return " ".join(text.split()).casefold()


_folded = functools.lru_cache(maxsize=4096)(normalise)
"""``normalise`` remembered per text: every case names its treatments several times, and cases share their names."""


def documents_injury(event: Event) -> bool:
    """Whether an event is objective evidence of the injury: an injury, or a medical finding not marked otherwise."""
    if event.type is _INJURY:
        return True
    return event.type is _MEDICAL_FINDING and event.details.get("documents_injury", True) is not False


def standing_at(start: Event, moment: Event, cancellers: Iterable[Event],
                weak: Iterable[Event] = ()) -> Certainty | None:
    """Whether a state opened by ``start`` (a recommendation, an unfit decision) still stood at ``moment``.

    A canceller (a provision of the treatment, a later fit decision) that certainly falls between the two,
    the same day counting as between, closes the state; one that only may fall between makes it possible.
    A ``weak`` canceller (a patient's refusal recorded without the informed-refusal form) that may fall between
    makes the state only possible: it may have ended it.
    """
    s_lo, s_hi = start.date.bounds()
    m_lo, m_hi = moment.date.bounds()
    if s_lo > m_hi:
        return None
    certainty = _ESTABLISHED if s_hi < m_lo else _POSSIBLE
    for event in cancellers:
        c_lo, c_hi = event.date.bounds()
        if c_hi < s_lo or c_lo > m_hi:
            continue
        if c_lo >= s_hi and c_hi <= m_lo:
            return None
        certainty = _POSSIBLE
    for event in weak:
        c_lo, c_hi = event.date.bounds()
        if not (c_hi < s_lo or c_lo > m_hi):
            certainty = _POSSIBLE
    return certainty


def declined_formally(event: Event) -> bool:
    """Whether a patient's refusal counts as made: recorded on the informed-refusal form, or with the form not said.

    323-FZ art. 20 requires the refusal in a prescribed form; one recorded as made without it may not be the
    patient's informed decision, so it ends nothing for certain.
    """
    return event.details.get("informed_consent_form") is not False


def precedes(earlier: Event, later: Event) -> Certainty | None:
    """ESTABLISHED when ``earlier`` certainly precedes ``later``, POSSIBLE when it may, None when it cannot."""
    e_lo, e_hi = earlier.date.bounds()
    l_lo, l_hi = later.date.bounds()
    if e_hi < l_lo:
        return _ESTABLISHED
    return _POSSIBLE if e_lo <= l_hi else None


class CaseView:
    """One case's events in timeline order, indexed by type once, with the institutions they name."""

    def __init__(self, case_id: str, events: Iterable[Event], institutions: Mapping[str, Institution]) -> None:
        self.case_id = case_id
        self.events = tuple(sorted(events, key=_order))
        self.institutions = institutions
        by_type: dict[EventType, list[Event]] = {}
        for event in self.events:
            by_type.setdefault(event.type, []).append(event)
        self._by_type = by_type
        # Built on first use; plain attributes because functools.cached_property takes a lock on every read.
        self._by_id: dict[str, Event] | None = None
        self._recommended: dict[str, list[Event]] | None = None
        self._provided: dict[str, list[Event]] | None = None
        self._declined: dict[str, list[Event]] | None = None
        self._injury_evidence: list[Event] | None = None
        self._trails: list[ComplaintTrail] | None = None
        self._closures: list[tuple[list[Event], list[Event], list[Event]]] | None = None
        self._decisions: tuple[list[Event], list[tuple[Event, FitnessCategory]]] | None = None
        self._discharges: tuple[list[Event], list[Event]] | None = None

    @classmethod
    def of_timeline(cls, timeline: Timeline) -> CaseView:
        """The view of a timeline."""
        return cls(timeline.case.id, timeline.events, timeline.institutions)

    def of(self, event_type: EventType) -> tuple[Event, ...] | list[Event]:
        """The events of one type, in timeline order."""
        return self._by_type.get(event_type, _NONE)

    def has(self, event_type: EventType) -> bool:
        """Whether the case has any event of this type."""
        return event_type in self._by_type

    @property
    def by_id(self) -> dict[str, Event]:
        """Events by id."""
        if self._by_id is None:
            self._by_id = {e.id: e for e in self.events}
        return self._by_id

    @property
    def recommended(self) -> dict[str, list[Event]]:
        """Treatment recommendations grouped by normalised treatment."""
        if self._recommended is None:
            self._recommended = _by_treatment(self.of(_RECOMMENDED))
        return self._recommended

    @property
    def provided(self) -> dict[str, list[Event]]:
        """Treatment provisions grouped by normalised treatment."""
        if self._provided is None:
            self._provided = _by_treatment(self.of(_PROVIDED))
        return self._provided

    @property
    def declined(self) -> dict[str, list[Event]]:
        """The patient's own refusals of a treatment (323-FZ art. 20), grouped by normalised treatment."""
        if self._declined is None:
            self._declined = _by_treatment(self.of(_DECLINED))
        return self._declined

    @property
    def closures(self) -> list[tuple[list[Event], list[Event], list[Event]]]:
        """Per recommended treatment (in the order of ``recommended``): its recommendations, what ends them (its
        provisions and the patient's refusals on the informed-refusal form, 323-FZ art. 20), and the refusals
        recorded without that form, which only may end them."""
        if self._closures is None:
            out = []
            for treatment, recommendations in self.recommended.items():
                declined = self.declined.get(treatment, ())
                closed = [*self.provided.get(treatment, ()), *(d for d in declined if declined_formally(d))]
                weak = [d for d in declined if not declined_formally(d)]
                out.append((recommendations, closed, weak))
            self._closures = out
        return self._closures

    @property
    def fit_decisions(self) -> list[Event]:
        """Fitness decisions finding the person fit (А, Б), in timeline order."""
        return self._fitness()[0]

    @property
    def unfit_decisions(self) -> list[tuple[Event, FitnessCategory]]:
        """Fitness decisions finding the person unfit (В, Г, Д), with their category, in timeline order."""
        return self._fitness()[1]

    def _fitness(self) -> tuple[list[Event], list[tuple[Event, FitnessCategory]]]:
        if self._decisions is None:
            fit: list[Event] = []
            unfit: list[tuple[Event, FitnessCategory]] = []
            for decision in self.of(_FITNESS_DECISION):
                cat = category(decision)
                if cat is not None:
                    if cat in FIT:
                        fit.append(decision)
                    else:
                        unfit.append((decision, cat))
            self._decisions = fit, unfit
        return self._decisions

    @property
    def discharges(self) -> tuple[list[Event], list[Event]]:
        """Discharges as recovered, and as not recovered, in timeline order."""
        if self._discharges is None:
            recovered: list[Event] = []
            not_recovered: list[Event] = []
            for discharge in self.of(_DISCHARGED):
                condition = discharge.details.get("condition")
                if condition == DischargeCondition.RECOVERED:
                    recovered.append(discharge)
                elif condition == DischargeCondition.NOT_RECOVERED:
                    not_recovered.append(discharge)
            self._discharges = recovered, not_recovered
        return self._discharges

    @property
    def injury_evidence(self) -> list[Event]:
        """Injuries and medical findings that document an injury, in timeline order."""
        if self._injury_evidence is None:
            found = [*self.of(_INJURY), *(e for e in self.of(_MEDICAL_FINDING) if documents_injury(e))]
            self._injury_evidence = sorted(found, key=_by_date)
        return self._injury_evidence

    @property
    def trails(self) -> list[ComplaintTrail]:
        """Each complaint of the case with its lifecycle events."""
        if self._trails is None:
            lifecycle: dict[str, list[Event]] = {}
            for event_type in _LIFECYCLE:
                for event in self.of(event_type):
                    lifecycle.setdefault(str(event.details.get("complaint")), []).append(event)
            self._trails = [ComplaintTrail.from_events(c, lifecycle.get(c.id, ())) for c in self.of(T.COMPLAINT)]
        return self._trails


_order = attrgetter("date.earliest", "date.latest", "id")
"""The order of ``timeline_key`` as a C-level key: the per-case sort dominates indexing."""
_by_date = attrgetter("date.earliest", "date.latest")
"""``timeline_key`` itself (equal dates keep their order) as a C-level key."""


def _by_treatment(events: Iterable[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = {}
    for event in events:
        treatment = event.details.get("treatment")
        grouped.setdefault(_folded(treatment if isinstance(treatment, str) else ""), []).append(event)
    return grouped


class InstitutionView:
    """One institution with its sub-institutions, the events given for them, and the case findings about them."""

    def __init__(self, institution: Institution, events: Iterable[Event], institutions: Mapping[str, Institution],
                 case_findings: Iterable[Finding]) -> None:
        self.institution = institution
        self.institutions = institutions
        self.by_id = {e.id: e for e in events}
        self.case_findings = tuple(case_findings)
        self.family = family_of(institution.id, institutions)
        self._by_type: dict[EventType, list[Event]] = {}
        for event in self.by_id.values():
            self._by_type.setdefault(event.type, []).append(event)
        self._sorted: set[EventType] = set()  # a type's events are sorted when first asked for: most are never

    def of(self, event_type: EventType) -> tuple[Event, ...] | list[Event]:
        """The events of one type, in timeline order."""
        found = self._by_type.get(event_type)
        if found is None:
            return _NONE
        if event_type not in self._sorted:
            found.sort(key=_order)
            self._sorted.add(event_type)
        return found


def family_of(institution_id: str, institutions: Mapping[str, Institution]) -> frozenset[str]:
    """The institution and every institution below it through ``parent_id``, however deep."""
    children: dict[str, list[str]] = {}
    for inst in institutions.values():
        if inst.parent_id:
            children.setdefault(inst.parent_id, []).append(inst.id)
    found = {institution_id}
    todo = [institution_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)
