"""People, institutions, sources and cases: the records a timeline refers to."""

from __future__ import annotations

from dataclasses import dataclass, field

from dutycare.domain import vocabulary as v
from dutycare.domain.dates import PartialDate
from dutycare.domain.events import Event, timeline_key


@dataclass(frozen=True)
class Person:
    """Someone in the record; identifying fields are kept apart from the pseudonym."""

    id: str
    pseudonym: str
    role: v.PersonRole = v.PersonRole.AFFECTED
    service_status: v.ServiceStatus = v.ServiceStatus.UNKNOWN
    age: int | None = None
    age_as_of: PartialDate | None = None
    birth_year: int | None = None
    full_name: str | None = None
    birth_date: str | None = None
    contacts: str | None = None
    notes: str | None = None


SENSITIVE_PERSON_FIELDS = ("pseudonym", "full_name", "birth_date", "contacts", "notes")


@dataclass(frozen=True)
class Institution:
    """A hospital, commission, unit or authority, with its region and optional parent."""

    id: str
    name: str
    type: v.InstitutionType
    region: str | None = None
    parent_id: str | None = None
    jurisdiction: str = "RU"


@dataclass(frozen=True)
class Source:
    """Where an account comes from, with a reliability grade."""

    id: str
    kind: v.SourceKind
    title: str
    reliability: v.Reliability
    date: PartialDate | None = None
    publisher: str | None = None
    url: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Case:
    """One person's matter and its status."""

    id: str
    person_id: str
    title: str
    status: v.CaseStatus = v.CaseStatus.OPEN
    region: str | None = None
    opened: PartialDate | None = None
    summary: str | None = None


SENSITIVE_CASE_FIELDS = ("summary",)


@dataclass(frozen=True)
class CaseFile:
    """A self-contained set of records: what an import brings and an export writes."""

    people: tuple[Person, ...] = ()
    institutions: tuple[Institution, ...] = ()
    sources: tuple[Source, ...] = ()
    cases: tuple[Case, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """How many records of each kind."""
        return {
            "people": len(self.people),
            "institutions": len(self.institutions),
            "sources": len(self.sources),
            "cases": len(self.cases),
            "events": len(self.events),
        }


@dataclass(frozen=True)
class Timeline:
    """A case with its person and its events in date order."""

    case: Case
    person: Person
    events: tuple[Event, ...] = field(default_factory=tuple)
    institutions: dict[str, Institution] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        case: Case,
        person: Person,
        events: list[Event],
        institutions: dict[str, Institution],
        sources: dict[str, Source],
    ) -> Timeline:
        """Order the events and keep the institutions and sources they mention."""
        return cls(case, person, tuple(sorted(events, key=timeline_key)), institutions, sources)
