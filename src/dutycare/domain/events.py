"""Typed timeline events: what each type records, declared once as data.

The same declarations drive validation of imports and forms, the interchange schema and the docs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from dutycare.domain import vocabulary as v
from dutycare.domain.dates import PartialDate


class EventType(StrEnum):
    """Every kind of event a case timeline can hold."""

    INJURY = "injury"
    MEDICAL_FINDING = "medical_finding"
    TREATMENT_RECOMMENDED = "treatment_recommended"
    TREATMENT_REFUSED = "treatment_refused"
    TREATMENT_DECLINED = "treatment_declined"
    TREATMENT_PROVIDED = "treatment_provided"
    HOSPITALISED = "hospitalised"
    DISCHARGED = "discharged"
    FITNESS_DECISION = "fitness_decision"
    MALINGERING_LABEL = "malingering_label"
    DEPLOYED = "deployed"
    COMPLAINT = "complaint"
    COMPLAINT_REGISTERED = "complaint_registered"
    COMPLAINT_FORWARDED = "complaint_forwarded"
    COMPLAINT_EXTENDED = "complaint_extended"
    COMPLAINT_ANSWERED = "complaint_answered"
    RECORDS_REQUESTED = "records_requested"
    RECORDS_PROVIDED = "records_provided"
    PUBLIC_STATEMENT = "public_statement"
    TESTIMONY = "testimony"


class FieldKind(StrEnum):
    """The shape of one detail field."""

    TEXT = "text"
    CHOICE = "choice"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    PERSON = "person"
    PEOPLE = "people"
    INSTITUTION = "institution"
    INSTITUTIONS = "institutions"
    EVENT = "event"


@dataclass(frozen=True)
class FieldSpec:
    """One detail field of an event type."""

    name: str
    kind: FieldKind
    required: bool = False
    sensitive: bool = False
    choices: tuple[str, ...] = ()
    help_en: str = ""

    @property
    def is_reference(self) -> bool:
        """True for fields that name other records."""
        return self.kind in REFERENCE_KINDS


REFERENCE_KINDS = frozenset(
    {FieldKind.PERSON, FieldKind.PEOPLE, FieldKind.INSTITUTION, FieldKind.INSTITUTIONS, FieldKind.EVENT}
)


@dataclass(frozen=True)
class EventSpec:
    """What an event type records: its detail fields and whether it must name an institution."""

    type: EventType
    fields: tuple[FieldSpec, ...]
    institution_required: bool = False
    label_ru: str = ""
    label_en: str = ""

    def field(self, name: str) -> FieldSpec | None:
        """The spec of one detail field, or None."""
        return self.by_name.get(name)

    @cached_property
    def by_name(self) -> dict[str, FieldSpec]:
        """The detail fields by name (asked for every field of every event validated or stored)."""
        return {f.name: f for f in self.fields}


def _text(name: str, required: bool = False, sensitive: bool = True, help_en: str = "") -> FieldSpec:
    return FieldSpec(name, FieldKind.TEXT, required, sensitive, help_en=help_en)


def _choice(name: str, enum: type[StrEnum], required: bool = False) -> FieldSpec:
    return FieldSpec(name, FieldKind.CHOICE, required, choices=tuple(m.value for m in enum))


def _date(name: str, required: bool = False, help_en: str = "") -> FieldSpec:
    return FieldSpec(name, FieldKind.DATE, required, help_en=help_en)


def _ref(name: str, kind: FieldKind, required: bool = False) -> FieldSpec:
    return FieldSpec(name, kind, required)


_TREATMENT = _text("treatment", True, sensitive=False, help_en="short name of the treatment, e.g. knee surgery")
_COMPLAINT_REF = _ref("complaint", FieldKind.EVENT, True)
T = EventType

EVENT_SPECS: Mapping[EventType, EventSpec] = {
    s.type: s
    for s in (
        EventSpec(T.INJURY, (_text("injury", True), _text("circumstances"), _text("body_part", sensitive=False)),
                  label_ru="Ранение или травма", label_en="Injury"),
        EventSpec(T.MEDICAL_FINDING,
                  (_text("finding", True), FieldSpec("documents_injury", FieldKind.BOOLEAN)),
                  label_ru="Медицинское заключение", label_en="Medical finding"),
        EventSpec(T.TREATMENT_RECOMMENDED,
                  (_TREATMENT, _choice("urgency", v.Urgency), _text("recommended_by")),
                  label_ru="Рекомендовано лечение", label_en="Treatment recommended"),
        EventSpec(T.TREATMENT_REFUSED,
                  (_TREATMENT, _text("reason", True), _choice("reason_kind", v.RefusalReason, True),
                   _text("refused_by"),
                   _text("order_reference", sensitive=False,
                         help_en="the written order the refusal cites: its issuer, name and number"),
                   _date("order_date", help_en="the date of that order")),
                  label_ru="Отказ в лечении", label_en="Treatment refused"),
        EventSpec(T.TREATMENT_DECLINED,
                  (_TREATMENT, FieldSpec("informed_consent_form", FieldKind.BOOLEAN,
                                         help_en="the refusal was signed on an informed-refusal form")),
                  label_ru="Отказ пациента от вмешательства", label_en="Treatment declined by the patient"),
        EventSpec(T.TREATMENT_PROVIDED, (_TREATMENT,),
                  label_ru="Лечение проведено", label_en="Treatment provided"),
        EventSpec(T.HOSPITALISED, (_text("reason"),), label_ru="Госпитализация", label_en="Hospitalised"),
        EventSpec(T.DISCHARGED, (_choice("condition", v.DischargeCondition),),
                  label_ru="Выписка", label_en="Discharged"),
        EventSpec(T.FITNESS_DECISION,
                  (_choice("category", v.FitnessCategory, True), _choice("causal_link", v.CausalLink),
                   _text("basis")),
                  institution_required=True, label_ru="Решение ВВК о годности", label_en="Fitness decision"),
        EventSpec(T.MALINGERING_LABEL, (_text("statement"), _text("labelled_by")),
                  label_ru="Обвинение в симуляции", label_en="Labelled a malingerer"),
        EventSpec(T.DEPLOYED, (_text("destination", sensitive=False),),
                  label_ru="Направлен в зону боевых действий", label_en="Deployed"),
        EventSpec(T.COMPLAINT,
                  (_ref("addressees", FieldKind.INSTITUTIONS, True), _ref("applicants", FieldKind.PEOPLE, True),
                   _choice("channel", v.Channel, True), _text("subject", True),
                   _choice("kind", v.ComplaintKind), _ref("respondent", FieldKind.INSTITUTION)),
                  label_ru="Жалоба или обращение", label_en="Complaint"),
        EventSpec(T.COMPLAINT_REGISTERED, (_COMPLAINT_REF, _text("registration_number", sensitive=False)),
                  institution_required=True, label_ru="Обращение зарегистрировано", label_en="Complaint registered"),
        EventSpec(T.COMPLAINT_FORWARDED, (_COMPLAINT_REF, _ref("forwarded_to", FieldKind.INSTITUTION, True)),
                  institution_required=True, label_ru="Обращение перенаправлено", label_en="Complaint forwarded"),
        EventSpec(T.COMPLAINT_EXTENDED,
                  (_COMPLAINT_REF, FieldSpec("extended_by_days", FieldKind.INTEGER, True),
                   FieldSpec("notice_given", FieldKind.BOOLEAN)),
                  institution_required=True, label_ru="Срок ответа продлён", label_en="Answer period extended"),
        EventSpec(T.COMPLAINT_ANSWERED,
                  (_COMPLAINT_REF, _choice("outcome", v.AnswerOutcome, True), _text("answer")),
                  institution_required=True, label_ru="Получен ответ", label_en="Complaint answered"),
        EventSpec(T.RECORDS_REQUESTED,
                  (_text("records", True, sensitive=False),
                   _date("registered_on", help_en="the date the request was registered (789н counts from it)")),
                  institution_required=True, label_ru="Запрошены копии медицинских документов",
                  label_en="Medical records requested"),
        EventSpec(T.RECORDS_PROVIDED, (_ref("request", FieldKind.EVENT, True),),
                  label_ru="Копии документов выданы", label_en="Medical records provided"),
        EventSpec(T.PUBLIC_STATEMENT,
                  (_ref("speaker", FieldKind.PERSON), _text("statement", True, sensitive=False),
                   _choice("claim", v.StatementClaim, True)),
                  institution_required=True, label_ru="Публичное заявление", label_en="Public statement"),
        EventSpec(T.TESTIMONY, (_ref("given_by", FieldKind.PERSON, True), _text("text", True)),
                  label_ru="Свидетельство", label_en="Testimony"),
    )
}


@dataclass(frozen=True)
class Citation:
    """An event's reference to a source, optionally pointing inside it (page, timecode)."""

    source_id: str
    locator: str | None = None


@dataclass(frozen=True)
class Event:
    """One dated, sourced entry on the timeline of one or more cases."""

    id: str
    type: EventType
    date: PartialDate
    case_ids: tuple[str, ...]
    citations: tuple[Citation, ...]
    institution_id: str | None = None
    summary: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)

    @property
    def spec(self) -> EventSpec:
        """The declaration of this event's type."""
        return EVENT_SPECS[self.type]

    def text(self, name: str) -> str:
        """A text detail, or an empty string when absent."""
        value = self.details.get(name)
        return value if isinstance(value, str) else ""

    def refs(self, name: str) -> tuple[str, ...]:
        """The ids named by a reference detail, as a tuple (empty when absent)."""
        value = self.details.get(name)
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list | tuple):
            return tuple(str(x) for x in value)
        return ()

    def date_detail(self, name: str) -> PartialDate | None:
        """A date detail (a registration, an order's date), or None when absent or unreadable."""
        value = self.details.get(name)
        if not isinstance(value, str):
            return None
        try:
            return PartialDate.parse(value)
        except ValueError:
            return None

    @property
    def fitness_category(self) -> v.FitnessCategory | None:
        """The category of a fitness decision, or None for other events."""
        value = self.details.get("category")
        return v.FitnessCategory(value) if isinstance(value, str) and self.type is EventType.FITNESS_DECISION else None


def timeline_key(event: Event) -> tuple[object, ...]:
    """Sort key for timeline order; with a stable sort, events on equal dates keep the order they were recorded in."""
    return event.date.sort_key()
