"""The controlled vocabularies of the case record, with Russian and English labels."""

from __future__ import annotations

from enum import StrEnum


class ServiceStatus(StrEnum):
    """A person's relation to military service."""

    CONTRACT = "contract"
    MOBILISED = "mobilised"
    CONSCRIPT = "conscript"
    VOLUNTEER = "volunteer"
    FORMER = "former"
    CIVILIAN = "civilian"
    UNKNOWN = "unknown"


class PersonRole(StrEnum):
    """The part a person plays in the record."""

    AFFECTED = "affected"
    ADVOCATE = "advocate"
    RELATIVE = "relative"
    WITNESS = "witness"
    OFFICIAL = "official"


class InstitutionType(StrEnum):
    """Kinds of institution; authorities are split by the clock rules that govern their answers."""

    HOSPITAL = "hospital"
    MEDICAL_COMMISSION = "medical_commission"
    MILITARY_UNIT = "military_unit"
    AUTHORITY = "authority"
    PRESIDENT = "president"
    PROSECUTOR = "prosecutor"
    INVESTIGATIVE_COMMITTEE = "investigative_committee"
    OMBUDSMAN = "ombudsman"
    COURT = "court"
    MEDIA = "media"
    NGO = "ngo"


class CaseStatus(StrEnum):
    """Where a case stands."""

    OPEN = "open"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class FitnessCategory(StrEnum):
    """Military fitness categories (категории годности), kept in their Cyrillic letters."""

    A = "А"
    B = "Б"
    V = "В"
    G = "Г"
    D = "Д"

    @property
    def is_fit(self) -> bool:
        """Categories А and Б declare a person fit for service."""
        return self in (FitnessCategory.A, FitnessCategory.B)

    @classmethod
    def from_text(cls, text: str) -> FitnessCategory:
        """Accept the Cyrillic letter or its Latin transliteration (A, B, V, G, D)."""
        latin = {"A": cls.A, "B": cls.B, "V": cls.V, "G": cls.G, "D": cls.D}
        cleaned = text.strip().upper()
        for member in cls:
            if member.value == cleaned:
                return member
        if cleaned in latin:
            return latin[cleaned]
        raise ValueError(f"'{text}' is not a fitness category; use А, Б, В, Г or Д")


class CausalLink(StrEnum):
    """The commission's finding on how an injury or illness relates to service."""

    MILITARY_TRAUMA = "military_trauma"
    SERVICE_ILLNESS = "service_illness"
    GENERAL_ILLNESS = "general_illness"
    NOT_STATED = "not_stated"


class SourceKind(StrEnum):
    """Kinds of source an event can cite."""

    INTERVIEW = "interview"
    MEDICAL_DOCUMENT = "medical_document"
    OFFICIAL_DOCUMENT = "official_document"
    VIDEO_MESSAGE = "video_message"
    NEWS_REPORT = "news_report"
    OWN_ACCOUNT = "own_account"
    WITNESS_ACCOUNT = "witness_account"
    OTHER = "other"


class Reliability(StrEnum):
    """Source reliability on the six-grade scale used in intelligence and investigations (A best, F unknown)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class RefusalReason(StrEnum):
    """The kind of reason stated when a treatment was refused."""

    UNWRITTEN_DIRECTIVE = "unwritten_directive"
    NO_INDICATION = "no_indication"
    NO_CAPACITY = "no_capacity"
    MALINGERING = "malingering"
    PAPERWORK = "paperwork"
    WRITTEN_ORDER = "written_order"  # a named, dated written order (its publication is for a lawyer to judge)
    NONE_GIVEN = "none_given"
    OTHER = "other"


class Urgency(StrEnum):
    """How urgently a treatment was recommended."""

    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class DischargeCondition(StrEnum):
    """The person's condition when discharged from hospital."""

    RECOVERED = "recovered"
    IMPROVED = "improved"
    NOT_RECOVERED = "not_recovered"
    UNKNOWN = "unknown"


class Channel(StrEnum):
    """How a complaint was sent; the channel decides whether the answer clocks of 59-ФЗ run."""

    LETTER = "letter"  # a written appeal by post
    IN_PERSON = "in_person"  # handed in in person (or at a personal reception)
    ONLINE_PORTAL = "online_portal"  # the body's own internet reception
    GOSUSLUGI = "gosuslugi"  # the official portal (Госуслуги, the unified platform for appeals)
    EMAIL = "email"
    VIDEO_MESSAGE = "video_message"
    OTHER = "other"


class ComplaintKind(StrEnum):
    """What a complaint is in law; it decides which clocks run for the answer."""

    APPEAL = "appeal"  # an appeal under 59-ФЗ
    CRIME_REPORT = "crime_report"  # a report of a crime under УПК ст. 144
    OMBUDSMAN = "ombudsman_complaint"  # a complaint to an ombudsman
    COURT_CLAIM = "court_claim"  # an administrative claim under КАС гл. 22


class AnswerOutcome(StrEnum):
    """What an answer to a complaint decided."""

    SATISFIED = "satisfied"
    PARTLY_SATISFIED = "partly_satisfied"
    REFUSED = "refused"
    NO_VIOLATION_FOUND = "no_violation_found"
    FORMAL_REPLY = "formal_reply"


class StatementClaim(StrEnum):
    """What an official public statement asserts."""

    NO_RESTRICTIONS_ON_CARE = "no_restrictions_on_care"
    CARE_AS_USUAL = "care_as_usual"
    ALLEGATIONS_UNFOUNDED = "allegations_unfounded"
    OTHER = "other"
