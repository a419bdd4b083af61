"""The REST API's request (XCreate, XUpdate) and response (XPublic) shapes, as the OpenAPI document shows them.

Request models state the limits the validators enforce (lengths from ``domain.limits``, booleans that are
booleans, dates that are ISO dates, no unknown fields), so the OpenAPI document says what will be refused. What
only the domain can judge (an event's type and details, references to records) is left to event_writes, which
checks an event body exactly as an import does and names every problem by field.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
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

from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.limits import (
    MAX_DATE_LENGTH,
    MAX_ID_LENGTH,
    MAX_JURISDICTION_LENGTH,
    MAX_REGION_LENGTH,
    text_fault,
)
from dutycare.domain.model import Case, Institution, Person, Source
from dutycare.domain.vocabulary import (
    CaseStatus,
    InstitutionType,
    PersonRole,
    Reliability,
    ServiceStatus,
    SourceKind,
)
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
    rule: str = ""
    complaint_kind: str | None = None
    kind_inferred: bool = False
    channel: str = "runs"
    extensions_ignored: list[str] = []

    @classmethod
    def of(cls, d: DueDate) -> DueDatePublic:
        """From a computed due date."""
        return cls(kind=d.kind.value, subject_event_id=d.subject_id, addressee_id=d.addressee_id,
                   due=d.due.isoformat(), earliest_due=d.earliest_due.isoformat(), status=d.status.value,
                   met_on=str(d.met_on) if d.met_on else None, legal_basis=d.rule.legal.citation(),
                   case_ids=list(d.case_ids), rule=d.rule.id,
                   complaint_kind=d.complaint_kind.value if d.complaint_kind else None,
                   kind_inferred=d.kind_inferred, channel=d.channel.value,
                   extensions_ignored=list(d.extensions_ignored))


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


# -- writing cases, people, sources and institutions ---------------------------------------------------------
# Choices are the vocabulary's (the OpenAPI document lists them); dates are the interchange format's partial
# dates (2024-03-14, 2024-03, 2024, ~2024-03, 2024-02/2024-04), checked by the domain as an import checks them.
PartialDateText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_DATE_LENGTH),
                            WithJsonSchema({"type": "string", "maxLength": MAX_DATE_LENGTH,
                                            "examples": ["2024-03-14", "2024-03", "~2023-10"]})]
Region = Annotated[str, StringConstraints(min_length=1, max_length=MAX_REGION_LENGTH)]
Text = Annotated[str, StringConstraints(min_length=1)]


class PersonChange(Strict):
    """Changes to a person: the fields given change, null removes one. Identifying fields are sealed at rest."""

    pseudonym: Text | None = None
    role: PersonRole | None = None
    service_status: ServiceStatus | None = None
    age: Annotated[int, Field(ge=0, le=130, strict=True)] | None = None
    age_as_of: PartialDateText | None = None
    birth_year: Annotated[int, Field(ge=1900, le=2100, strict=True)] | None = None
    full_name: Text | None = None
    birth_date: Text | None = None
    contacts: Text | None = None
    notes: Text | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request set, in interchange form."""
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in self.model_dump(exclude_unset=True).items()}


class PersonCreate(PersonChange):
    """A new person; give an id or one is made."""

    id: RecordId | None = None
    pseudonym: Text


class CaseChange(Strict):
    """Changes to a case: the fields given change, null removes one."""

    person: RecordId | None = None
    title: Text | None = None
    status: CaseStatus | None = None
    region: Region | None = None
    opened: PartialDateText | None = None
    summary: Text | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request set, in interchange form."""
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in self.model_dump(exclude_unset=True).items()}


class CaseCreate(CaseChange):
    """A new case: name an existing person, or describe a new one in ``new_person``; restrict it to named users
    (the writer is always named on a case they restrict)."""

    id: RecordId | None = None
    title: Text
    new_person: PersonCreate | None = None
    restricted: StrictBool = False
    user_ids: list[RecordId] = Field(default_factory=list)

    def case_fields(self) -> dict[str, Any]:
        """The case in interchange form."""
        raw = self.changes()
        for key in ("new_person", "restricted", "user_ids"):
            raw.pop(key, None)
        return raw


class SourceChange(Strict):
    """Changes to a source: the fields given change, null removes one."""

    kind: SourceKind | None = None
    title: Text | None = None
    reliability: Reliability | None = None
    date: PartialDateText | None = None
    publisher: Text | None = None
    url: Text | None = None
    notes: Text | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request set, in interchange form."""
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in self.model_dump(exclude_unset=True).items()}


class SourceCreate(SourceChange):
    """A new source with its kind and reliability grade (A best, F cannot be judged); give an id or one is made."""

    id: RecordId | None = None
    kind: SourceKind
    title: Text
    reliability: Reliability


class InstitutionChange(Strict):
    """Changes to an institution: the fields given change, null removes one."""

    name: Text | None = None
    type: InstitutionType | None = None
    region: Region | None = None
    parent: RecordId | None = None
    jurisdiction: Annotated[str, StringConstraints(min_length=2, max_length=MAX_JURISDICTION_LENGTH)] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the request set, in interchange form."""
        return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in self.model_dump(exclude_unset=True).items()}


class InstitutionCreate(InstitutionChange):
    """A new institution; give an id or one is made."""

    id: RecordId | None = None
    name: Text
    type: InstitutionType


class CaseOpenedPublic(BaseModel):
    """A case just opened, with its person and who sees it."""

    case: CasePublic
    person: PersonPublic
    access: CaseAccessPublic


class SourceDetailPublic(SourcePublic):
    """A source with its address and notes (sealed at rest)."""

    url: str | None
    notes: str | None

    @classmethod
    def of(cls, s: Source) -> SourceDetailPublic:
        """From a source record."""
        return cls(id=s.id, kind=s.kind.value, title=s.title, reliability=s.reliability.value,
                   date=str(s.date) if s.date else None, publisher=s.publisher, url=s.url, notes=s.notes)


def institution_public(i: Institution) -> InstitutionPublic:
    """An institution as the API shows it."""
    return InstitutionPublic(id=i.id, name=i.name, type=i.type.value, region=i.region, parent_id=i.parent_id,
                             jurisdiction=i.jurisdiction)


def case_public(c: Case, person: Person, event_count: int = 0) -> CasePublic:
    """A case as the API shows it."""
    return CasePublic.of(CaseRow(c, person, event_count))


# -- complaints ----------------------------------------------------------------------------------------------
Line = Annotated[str, AfterValidator(_storable), StringConstraints(max_length=500)]
LongText = Annotated[str, AfterValidator(_storable), StringConstraints(max_length=20_000)]


class ApplicantIn(Strict):
    """An applicant or representative: the person, the full name and the address for the reply (sealed)."""

    person: RecordId
    full_name: Line = ""
    address: Line = ""
    authority: Line = ""


class AddresseeIn(Strict):
    """One addressee and the template of its letter (prosecutor, investigative_committee, ombudsman,
    hospital_head, higher_commission, court, authority, international)."""

    institution: RecordId
    template: Annotated[str, StringConstraints(max_length=40)]
    official: Line = ""
    language: Annotated[str, StringConstraints(max_length=2)] | None = None


class ComplaintCreate(Strict):
    """A complaint draft: what it rests on, who signs, to whom, and what it asks."""

    cases: Annotated[list[RecordId], Field(max_length=50)]
    findings: Annotated[list[Annotated[str, StringConstraints(max_length=80)]], Field(max_length=200)] = []
    applicants: Annotated[list[ApplicantIn], Field(max_length=50)] = []
    representative: ApplicantIn | None = None
    addressees: Annotated[list[AddresseeIn], Field(max_length=50)] = []
    requests: Annotated[list[Annotated[str, StringConstraints(max_length=40)]], Field(max_length=10)] = []
    evidence: Annotated[list[RecordId], Field(max_length=50)] = []
    subject: Line = ""
    substance: LongText = ""
    letter_date: IsoDate | None = None
    will_sign: StrictBool = False
    kind: Annotated[str, StringConstraints(max_length=40)] | None = None
    respondent: RecordId | None = None
    follows: RecordId | None = None

    def raw(self) -> dict[str, Any]:
        """The body as the draft's input form."""
        out = self.model_dump(exclude_none=True)
        if self.letter_date is not None:
            out["letter_date"] = self.letter_date.isoformat()
        return out


class ComplaintStepCreate(Strict):
    """One lifecycle step: sent (channel), registered (number), forwarded (forwarded_to), extended (days, notice),
    answered (outcome, answer)."""

    step: Annotated[str, StringConstraints(max_length=20)]
    date: IsoDate
    institution: RecordId | None = None
    channel: Annotated[str, StringConstraints(max_length=40)] | None = None
    number: Line = ""
    forwarded_to: RecordId | None = None
    days: Annotated[int, Field(ge=1, le=366)] | None = None
    notice: StrictBool = False
    outcome: Annotated[str, StringConstraints(max_length=40)] | None = None
    answer: LongText = ""
    source: RecordId | None = None

    def raw(self) -> dict[str, Any]:
        """The body as the step's input form."""
        return {**self.model_dump(exclude_none=True), "date": self.date.isoformat()}


class ComplaintNextCreate(Strict):
    """The next complaint to draft from this one: its template (prosecutor or court) and addressee."""

    template: Annotated[str, StringConstraints(max_length=40)]
    institution: RecordId


class ComplaintPublic(BaseModel):
    """A complaint draft with its applicants' names and addresses (read audited), its requisites still missing,
    its final letters, due dates and next steps."""

    id: str
    status: str
    draft: dict[str, Any]
    missing: list[ProblemPublic]
    letters: list[dict[str, Any]]
    complaint_event: str | None
    due_dates: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    next_steps: list[dict[str, Any]] = []
class PatternRowPublic(BaseModel):
    """One row of a protected pattern table; a null count, rate or test was suppressed (or does not apply)."""

    key: str
    label: str
    region: str | None
    cases: int | None
    with_: int | None = Field(alias="with", serialization_alias="with")
    without: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    p_region: float | None
    q_region: float | None
    p_country: float | None
    q_country: float | None
    flag: str | None

    model_config = ConfigDict(populate_by_name=True)


class PatternTablePublic(BaseModel):
    """A pattern table after disclosure control, with how it was computed."""

    grouping: str
    measure: str
    threshold: int
    too_few: bool
    possible: bool
    suppressed_cells: int
    facilities_tested: int
    false_discovery_rate: float
    confidence: float
    rows: list[PatternRowPublic]
    regions: list[PatternRowPublic]
    total: PatternRowPublic | None
    notes: list[str]


class PublicationFilePublic(BaseModel):
    """One published file and the SHA-256 the ledger recorded for it."""

    name: str
    sha256: str
    size: int
    media_type: str


class PublicationPublic(BaseModel):
    """A publication's record, as the ledger covers it."""

    id: str
    status: str
    title: str
    lang: str
    filters: dict[str, str]
    population_sha256: str
    population_size: int
    files: list[PublicationFilePublic]
    created_by: str
    created_at: str
    approved_by: str | None
    approved_at: str | None


class PublicationCheckPublic(BaseModel):
    """What verifying a publication found."""

    publication_id: str
    ok: bool
    problems: list[str]
    files_checked: int
class EvidenceFilePublic(EvidencePublic):
    """An evidence file's record: what it is, where it came from, and the original it was derived from."""

    original_name: str
    source_id: str | None
    derived_from: str | None
    description: str | None

    @classmethod
    def of(cls, e: EvidenceFile) -> EvidenceFilePublic:
        """From an evidence record."""
        return cls(id=e.id, event_id=e.event_id, sha256=e.sha256, size=e.size, media_type=e.media_type,
                   added_by=e.added_by, added_at=e.added_at, original_name=e.original_name, source_id=e.source_id,
                   derived_from=e.derived_from, description=e.description)
