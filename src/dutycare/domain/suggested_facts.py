"""Facts suggested from a free-text account: what they are, and how each maps onto an event a caseworker may record.

A suggestion is never a fact: it points at the words it came from, and nothing is written until a person accepts
it (the event form then opens prefilled). The language work (lemmas, named people, exact dates) is done by an
adapter behind the ``FactSuggester`` port; everything here is plain data and the rules on top of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dutycare.domain.events import EVENT_SPECS, EventType


class FactKind(StrEnum):
    """The kinds of fact suggested from free text."""

    PERSON = "person"
    AGE = "age"
    DATE = "date"
    INSTITUTION = "institution"
    INJURY = "injury"
    BODY_PART = "body_part"
    FITNESS_DECISION = "fitness_decision"
    RECOMMENDATION = "recommendation"
    REFUSAL = "refusal"
    MALINGERING = "malingering"
    DEPLOYMENT = "deployment"
    COMPLAINT = "complaint"


FACT_LABELS: Mapping[FactKind, tuple[str, str]] = {
    FactKind.PERSON: ("Человек", "Person"),
    FactKind.AGE: ("Возраст", "Age"),
    FactKind.DATE: ("Дата", "Date"),
    FactKind.INSTITUTION: ("Учреждение", "Institution"),
    FactKind.INJURY: ("Ранение или травма", "Injury"),
    FactKind.BODY_PART: ("Часть тела", "Body part"),
    FactKind.FITNESS_DECISION: ("Решение о годности", "Fitness decision"),
    FactKind.RECOMMENDATION: ("Рекомендация лечения", "Treatment recommended"),
    FactKind.REFUSAL: ("Отказ в лечении", "Treatment refused"),
    FactKind.MALINGERING: ("Обвинение в симуляции", "Labelled a malingerer"),
    FactKind.DEPLOYMENT: ("Отправка на фронт", "Deployment"),
    FactKind.COMPLAINT: ("Жалоба или обращение", "Complaint"),
}

# The event type a suggestion of each kind prefills; kinds absent here prefill a field of some event instead.
EVENT_OF_KIND: Mapping[FactKind, EventType] = {
    FactKind.INJURY: EventType.INJURY,
    FactKind.FITNESS_DECISION: EventType.FITNESS_DECISION,
    FactKind.RECOMMENDATION: EventType.TREATMENT_RECOMMENDED,
    FactKind.REFUSAL: EventType.TREATMENT_REFUSED,
    FactKind.MALINGERING: EventType.MALINGERING_LABEL,
    FactKind.DEPLOYMENT: EventType.DEPLOYED,
    FactKind.COMPLAINT: EventType.COMPLAINT,
}

# Which value entry names the fact, for comparing a suggestion with a caseworker's (the benchmark, de-duplication).
_KEY_FIELD: Mapping[FactKind, str] = {
    FactKind.PERSON: "name",
    FactKind.AGE: "years",
    FactKind.INSTITUTION: "type",
    FactKind.INJURY: "kind",
    FactKind.BODY_PART: "body_part",
    FactKind.FITNESS_DECISION: "decision",
    FactKind.REFUSAL: "reason_kind",
}


@dataclass(frozen=True)
class Suggestion:
    """One fact suggested from a text: its kind, its value, and the words ``text[start:end]`` it came from."""

    kind: str
    value: dict[str, object] | str
    start: int
    end: int
    quote: str

    @property
    def fact_kind(self) -> FactKind:
        """The kind as the vocabulary member."""
        return FactKind(self.kind)

    @property
    def event_type(self) -> EventType | None:
        """The event type this suggestion prefills, if it is an event of its own."""
        return EVENT_OF_KIND.get(self.fact_kind)

    @property
    def key(self) -> str:
        """What names the fact, whatever words it came from (a date's text, an institution's type, …)."""
        if isinstance(self.value, str):
            return self.value
        name = _KEY_FIELD.get(self.fact_kind)
        return str(self.value.get(name, "")) if name else self.kind

    def details(self) -> dict[str, str]:
        """The detail fields of its event type this suggestion fills, as the event form takes them."""
        event_type = self.event_type
        if event_type is None or isinstance(self.value, str):
            return {}
        spec = EVENT_SPECS[event_type]
        return {k: str(v) for k, v in self.value.items() if spec.field(k) is not None}

    def label(self, lang: str) -> str:
        """The kind's name in Russian or English."""
        ru, en = FACT_LABELS[self.fact_kind]
        return ru if lang == "ru" else en


@dataclass(frozen=True)
class Token:
    """One word or sign of a text: where it stands, its lower-case form and its dictionary form."""

    start: int
    end: int
    lower: str
    lemma: str


@dataclass(frozen=True)
class FoundDate:
    """A date a language model found, as far as it was given (any part may be missing)."""

    start: int
    end: int
    year: int | None
    month: int | None
    day: int | None


@dataclass(frozen=True)
class FoundName:
    """A person's name a language model found, with its dictionary (nominative) form."""

    start: int
    end: int
    name: str


@dataclass(frozen=True)
class Analysis:
    """A text as the language adapter hands it to the rules: words with lemmas, sentences, dates and names."""

    text: str
    tokens: Sequence[Token]
    sentences: Sequence[tuple[int, int]]
    dates: Sequence[FoundDate] = field(default=())
    names: Sequence[FoundName] = field(default=())

    def sentence_of(self, offset: int) -> int:
        """The index of the sentence holding ``offset`` (the last one starting at or before it)."""
        index = 0
        for i, (start, _end) in enumerate(self.sentences):
            if start <= offset:
                index = i
        return index


def dedupe(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """The suggestions in text order without exact repeats (same kind, same words)."""
    seen: set[tuple[str, int, int]] = set()
    kept: list[Suggestion] = []
    for s in sorted(suggestions, key=lambda s: (s.start, -s.end, s.kind)):
        if (s.kind, s.start, s.end) not in seen:
            seen.add((s.kind, s.start, s.end))
            kept.append(s)
    return kept


def known_date_of(value: object) -> date | None:
    """A known date given as a date or ISO text, or None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None
