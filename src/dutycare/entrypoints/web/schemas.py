"""The REST API's request (XCreate, XUpdate) and response (XPublic) shapes, as the OpenAPI document shows them.

Request models state the limits the validators enforce (lengths from ``domain.limits``, booleans that are
booleans, dates that are ISO dates, no unknown fields), so the OpenAPI document says what will be refused. What
only the domain can judge (an event's type and details, references to records) is left to event_writes, which
checks an event body exactly as an import does and names every problem by field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)

from dutycare.domain.limits import MAX_DATE_LENGTH, MAX_ID_LENGTH, text_fault
from dutycare.domain.model import Person
from dutycare.jurisdictions.deadlines import DueDate
from dutycare.service_layer.access import Role
from dutycare.service_layer.accounts import MAX_LABEL, MIN_PASSWORD, NAME_PATTERN, ApiToken, User
from dutycare.service_layer.audit import AuditEntry
from dutycare.service_layer.case_views import FindingView
from dutycare.service_layer.queries import CaseRow

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    """Only YYYY-MM-DD text is a date here (lax parsing would read 0 as 1970-01-01)."""
    if not isinstance(value, date) and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _storable(value: str) -> str:
    """Text storage can hold (no NUL, no broken characters)."""
    if fault := text_fault(value):
        raise ValueError(fault)
    return value


def _length(value: str, high: int) -> str:
    # Measured here, not with pydantic's length constraints: those cannot read a lone surrogate at all, and the
    # interchange validator says better what is wrong with one.
    if not 1 <= len(value) <= high:
        raise ValueError(f"must have 1 to {high} characters")
    return value


def _id_text(value: str) -> str:
    return _length(value, MAX_ID_LENGTH)


def _label_text(value: str) -> str:
    return _storable(_length(value, MAX_LABEL))


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
RecordId = Annotated[str, AfterValidator(_id_text),
                     WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH})]
Label = Annotated[str, AfterValidator(_label_text),
                  WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_LABEL})]


class Strict(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class ProblemPublic(BaseModel):
    """One thing wrong with a request, by location and field."""

    location: str
    field: str
    message: str


class ErrorPublic(BaseModel):
    """The body of every 4xx answer."""

    error: str
    problems: list[ProblemPublic] = []


class CasePublic(BaseModel):
    """A case as lists show it (no identifying person fields)."""

    id: str
    title: str
    status: str
    region: str | None
    opened: str | None
    summary: str | None
    person_id: str
    pseudonym: str
    event_count: int

    @classmethod
    def of(cls, row: CaseRow) -> CasePublic:
        """From a case-list row."""
        c = row.case
        return cls(id=c.id, title=c.title, status=c.status.value, region=c.region,
                   opened=str(c.opened) if c.opened else None, summary=c.summary, person_id=c.person_id,
                   pseudonym=row.person.pseudonym, event_count=row.event_count)


class CaseListPublic(BaseModel):
    """A page of cases and how many match (a text search counts to a limit: see total_exact)."""

    total: int
    total_exact: bool = True  # False: a text search matched more cases than `total - 1`, which is its limit
    limit: int
    offset: int
    cases: list[CasePublic]


class PersonPublic(BaseModel):
    """A person without identifying fields."""

    id: str
    pseudonym: str
    role: str
    service_status: str
    age: int | None
    birth_year: int | None

    @classmethod
    def of(cls, p: Person) -> PersonPublic:
        """From a person record."""
        return cls(id=p.id, pseudonym=p.pseudonym, role=p.role.value, service_status=p.service_status.value,
                   age=p.age, birth_year=p.birth_year)


class PersonIdentifyingPublic(PersonPublic):
    """A person with identifying fields (reading it is audited)."""

    full_name: str | None
    birth_date: str | None
    contacts: str | None
    notes: str | None

    @classmethod
    def of(cls, p: Person) -> PersonIdentifyingPublic:
        """From a person record."""
        base = PersonPublic.of(p).model_dump()
        return cls(**base, full_name=p.full_name, birth_date=p.birth_date, contacts=p.contacts, notes=p.notes)


class CitationCreate(Strict):
    """A source an event cites."""

    source: RecordId
    locator: str | None = None


class EventUpdate(Strict):
    """A corrected event: the full new state (its type cannot change)."""

    type: str
    date: Annotated[str, StringConstraints(max_length=MAX_DATE_LENGTH)]
    cases: Annotated[list[RecordId], Field(min_length=1)]
    institution: RecordId | None = None
    summary: str | None = None
    sources: list[CitationCreate]
    details: dict[str, Any] = Field(default_factory=dict)

    def interchange(self, event_id: str | None = None) -> dict[str, Any]:
        """The interchange form the domain validates."""
        raw = self.model_dump(exclude_none=True)
        raw["sources"] = [c.model_dump(exclude_none=True) for c in self.sources]
        if not raw.get("details"):
            raw.pop("details", None)
        if event_id is not None:
            raw["id"] = event_id
        return raw


class EventCreate(EventUpdate):
    """A new event; give an id or one is made."""

    id: RecordId | None = None


class EventPublic(BaseModel):
    """An event in its interchange form."""

    id: str
    type: str
    date: str
    cases: list[str]
    institution: str | None = None
    summary: str | None = None
    sources: list[dict[str, str]]
    details: dict[str, Any] = {}


class SourcePublic(BaseModel):
    """A source with its reliability grade."""

    id: str
    kind: str
    title: str
    reliability: str
    date: str | None
    publisher: str | None


class InstitutionPublic(BaseModel):
    """A hospital, commission, unit or authority."""

    id: str
    name: str
    type: str
    region: str | None
    parent_id: str | None
    jurisdiction: str


class FindingPublic(BaseModel):
    """A rule's finding with its explanations and certainty."""

    rule_id: str
    severity: str
    certainty: str
    case_ids: list[str]
    event_ids: list[str]
    explanation_ru: str
    explanation_en: str
    legal_basis: str

    @classmethod
    def of(cls, f: FindingView) -> FindingPublic:
        """From a finding view."""
        return cls(rule_id=f.rule_id, severity=f.severity, certainty=f.certainty, case_ids=list(f.case_ids),
                   event_ids=list(f.event_ids), explanation_ru=f.explanation_ru, explanation_en=f.explanation_en,
                   legal_basis=f.legal_basis)


class DueDatePublic(BaseModel):
    """One clock of a complaint or records request at one body."""

    kind: str
    subject_event_id: str
    addressee_id: str
    due: str
    earliest_due: str
    status: str
    met_on: str | None
    legal_basis: str
    case_ids: list[str]

    @classmethod
    def of(cls, d: DueDate) -> DueDatePublic:
        """From a computed due date."""
        return cls(kind=d.kind.value, subject_event_id=d.subject_id, addressee_id=d.addressee_id,
                   due=d.due.isoformat(), earliest_due=d.earliest_due.isoformat(), status=d.status.value,
                   met_on=str(d.met_on) if d.met_on else None, legal_basis=d.rule.legal.citation(),
                   case_ids=list(d.case_ids))


class EvidencePublic(BaseModel):
    """An evidence file's chain-of-custody facts."""

    id: str
    event_id: str
    sha256: str
    size: int
    media_type: str
    added_by: str
    added_at: str


class CaseAccessPublic(BaseModel):
    """Whether a case is restricted and who is named on it."""

    restricted: bool
    user_ids: list[str]


class CaseAccessUpdate(Strict):
    """A case's new restriction and named users."""

    restricted: StrictBool
    user_ids: list[RecordId] = Field(default_factory=list)


class CaseDetailPublic(BaseModel):
    """A case page: the case, its person, its timeline, findings, due dates and evidence."""

    case: CasePublic
    person: PersonPublic
    events: list[EventPublic]
    sources: list[SourcePublic]
    institutions: list[InstitutionPublic]
    findings: list[FindingPublic]
    due_dates: list[DueDatePublic]
    evidence: list[EvidencePublic]
    access: CaseAccessPublic


class EventTypePublic(BaseModel):
    """An event type and its detail fields, as EVENT_SPECS declares them."""

    type: str
    label_ru: str
    label_en: str
    institution_required: bool
    fields: list[dict[str, Any]]


class UserPublic(BaseModel):
    """A user (never a password or secret)."""

    id: str
    name: str
    display_name: str
    role: str
    active: bool
    organisation_id: str
    created_at: str
    has_second_factor: bool

    @classmethod
    def of(cls, u: User) -> UserPublic:
        """From a user."""
        return cls(id=u.id, name=u.name, display_name=u.display_name, role=u.role.value, active=u.active,
                   organisation_id=u.organisation_id, created_at=u.created_at,
                   has_second_factor=u.has_second_factor)


class UserCreate(Strict):
    """A new user; without a password one is generated and returned once."""

    name: Annotated[str, StringConstraints(pattern=NAME_PATTERN.pattern)]
    role: Role
    display_name: Label | None = None
    password: Annotated[str, StringConstraints(min_length=MIN_PASSWORD)] | None = None


class UserCreatedPublic(BaseModel):
    """A created user, with the generated password when one was made."""

    user: UserPublic
    generated_password: str | None


class UserUpdate(Strict):
    """Changes to a user."""

    role: Role | None = None
    active: StrictBool | None = None
    reset_second_factor: StrictBool = False


class TokenCreate(Strict):
    """A new API token: what it is for."""

    label: Label


class TokenPublic(BaseModel):
    """An API token's facts (never its secret)."""

    id: str
    user_id: str
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @classmethod
    def of(cls, t: ApiToken) -> TokenPublic:
        """From a token."""
        return cls(id=t.id, user_id=t.user_id, label=t.label, created_at=t.created_at, last_used_at=t.last_used_at,
                   revoked_at=t.revoked_at)


class TokenCreatedPublic(TokenPublic):
    """A new token with its secret, shown this once."""

    secret: str


class AuditEntryPublic(BaseModel):
    """One line of the audit log."""

    seq: int
    at: str
    user_id: str | None
    user_name: str
    action: str
    target_kind: str
    target_id: str
    detail: str

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryPublic:
        """From an audit entry."""
        return cls(**e.__dict__)


class AuditPagePublic(BaseModel):
    """A page of the audit log."""

    total: int
    entries: list[AuditEntryPublic]


class LedgerPublic(BaseModel):
    """The ledger's size and latest checkpoint."""

    size: int
    checkpoints: int
    latest_checkpoint: dict[str, Any] | None
    uncovered_entries: int


class VerificationPublic(BaseModel):
    """The outcome of a full verification."""

    ok: bool
    summary: str
    records_checked: int
    files_checked: int
    problems: list[str]
