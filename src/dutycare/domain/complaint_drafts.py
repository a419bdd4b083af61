"""Complaint drafts: the letters a lawyer writes from a case, checked for the requisites of 59-ФЗ ст. 7.

A draft is its own record. It names the cases it comes from, the findings it rests on, the applicants (each
with a full name and an address for the reply, both sealed at rest), an optional representative, one or more
addressees (one letter each), the requests, the attached evidence, the letter's date and the applicants'
promise to sign. It can be edited until it is final; finalising refuses while a requisite is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.limits import MAX_ID_LENGTH, id_fault, text_fault

LOCATION = "complaint"
MAX_ITEMS = 50
MAX_TEXT = 20_000
MAX_LINE = 500


class DraftStatus(StrEnum):
    """Where a complaint draft stands."""

    DRAFT = "draft"
    FINAL = "final"
    SENT = "sent"


class LetterTemplate(StrEnum):
    """The kinds of addressee a letter template is written for."""

    PROSECUTOR = "prosecutor"
    INVESTIGATIVE_COMMITTEE = "investigative_committee"
    OMBUDSMAN = "ombudsman"
    HOSPITAL_HEAD = "hospital_head"
    HIGHER_COMMISSION = "higher_commission"
    COURT = "court"
    AUTHORITY = "authority"
    INTERNATIONAL = "international"


class ComplaintRequest(StrEnum):
    """What a complaint asks the addressee to do."""

    PROVIDE_TREATMENT = "provide_treatment"
    REEXAMINATION = "reexamination"
    INDEPENDENT_EXPERTISE = "independent_expertise"
    PROSECUTOR_CHECK = "prosecutor_check"
    HOLD_ACCOUNTABLE = "hold_accountable"


LANGUAGES = ("ru", "en")


@dataclass(frozen=True)
class Applicant:
    """A person who signs the letter (or their representative), with the full name and reply address it needs."""

    person_id: str
    full_name: str = ""
    address: str = ""
    authority: str = ""  # a representative's power of attorney or other mandate


@dataclass(frozen=True)
class Addressee:
    """One body or official a letter of the draft goes to, and the template its letter uses."""

    institution_id: str
    template: LetterTemplate
    official: str = ""  # the official addressed, e.g. «Генеральному прокурору Российской Федерации»
    language: str = "ru"


@dataclass(frozen=True)
class FinalLetter:
    """The final PDF of one letter, as stored encrypted in the vault."""

    institution_id: str
    file_id: str
    sha256: str
    size: int
    stored_path: str = ""


@dataclass(frozen=True)
class ComplaintDraft:
    """A complaint being written, made final, or sent (then it has a complaint event on the timeline)."""

    id: str
    case_ids: tuple[str, ...]
    applicants: tuple[Applicant, ...]
    addressees: tuple[Addressee, ...]
    finding_keys: tuple[str, ...] = ()
    requests: tuple[ComplaintRequest, ...] = ()
    evidence_ids: tuple[str, ...] = ()
    representative: Applicant | None = None
    subject: str = ""
    substance: str = ""
    letter_date: date | None = None
    will_sign: bool = False
    kind: str | None = None
    respondent_id: str | None = None
    status: DraftStatus = DraftStatus.DRAFT
    letters: tuple[FinalLetter, ...] = ()
    complaint_event_id: str | None = None
    source_id: str | None = None
    follows: str | None = None
    created_by: str = ""
    version: int = 1
    facts: tuple[str, ...] = field(default=())  # event ids the letter states, from the findings (set by services)

    @property
    def editable(self) -> bool:
        """A draft can be changed until it is final."""
        return self.status is DraftStatus.DRAFT

    def addressee(self, institution_id: str) -> Addressee | None:
        """The addressee of this draft with this institution, or None."""
        return next((a for a in self.addressees if a.institution_id == institution_id), None)

    def letter(self, institution_id: str) -> FinalLetter | None:
        """The final letter to one addressee, or None."""
        return next((x for x in self.letters if x.institution_id == institution_id), None)

    @property
    def signatories(self) -> tuple[Applicant, ...]:
        """Everyone who signs: the applicants, then the representative."""
        return self.applicants + ((self.representative,) if self.representative else ())


# -- the requisites of 59-ФЗ ст. 7 -------------------------------------------------------------------------
_WORDS = re.compile(r"\w+", re.UNICODE)


def missing_requisites(draft: ComplaintDraft) -> list[Problem]:
    """Every requisite of a written appeal (59-ФЗ ст. 7 ч. 1) the draft lacks, naming the field."""
    out: list[Problem] = []
    if not draft.addressees:
        out.append(Problem(LOCATION, "addressees", "name the body or official the letter is addressed to"))
    if not draft.applicants:
        out.append(Problem(LOCATION, "applicants", "name at least one applicant"))
    for i, who in enumerate(draft.applicants):
        if len(_WORDS.findall(who.full_name)) < 2:
            out.append(Problem(LOCATION, f"applicants[{i}].full_name",
                               "write the applicant's full name (surname, first name and patronymic, if any)"))
        if not who.address.strip():
            out.append(Problem(LOCATION, f"applicants[{i}].address",
                               "give a postal or e-mail address for the reply"))
    rep = draft.representative
    if rep is not None:
        if len(_WORDS.findall(rep.full_name)) < 2:
            out.append(Problem(LOCATION, "representative.full_name", "write the representative's full name"))
        if not rep.address.strip():
            out.append(Problem(LOCATION, "representative.address", "give the representative's address for the reply"))
    if not draft.finding_keys and not draft.substance.strip():
        out.append(Problem(LOCATION, "substance", "state the substance: pick findings or describe the complaint"))
    if draft.letter_date is None:
        out.append(Problem(LOCATION, "letter_date", "give the date of the letter"))
    if not draft.will_sign:
        out.append(Problem(LOCATION, "will_sign", "confirm that every applicant signs the printed letter"))
    return out


# -- parsing input (forms, API, CLI) -----------------------------------------------------------------------
class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(LOCATION, name, message))

    def ident(self, name: str, value: object) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(name, "must be an id")
            return None
        fault = id_fault(value) or text_fault(value)
        if len(value) > MAX_ID_LENGTH:
            fault = f"must be at most {MAX_ID_LENGTH} characters"
        if fault:
            self.problem(name, fault)
            return None
        return value

    def ids(self, name: str, value: object, required: bool = False) -> tuple[str, ...]:
        if value is None:
            value = []
        if not isinstance(value, list | tuple) or len(value) > MAX_ITEMS:
            self.problem(name, f"must be a list of at most {MAX_ITEMS} ids")
            return ()
        found = [self.ident(f"{name}[{i}]", x) for i, x in enumerate(value)]
        out = tuple(dict.fromkeys(x for x in found if x is not None))
        if required and not out and len(found) == len(out):
            self.problem(name, "name at least one")
        return out

    def text(self, name: str, value: object, limit: int = MAX_LINE) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(name, "must be text")
            return ""
        fault = text_fault(value)
        if len(value) > limit or fault:
            self.problem(name, fault or f"must be at most {limit} characters of text")
            return ""
        return value.strip()

    def applicant(self, name: str, value: object) -> Applicant | None:
        if not isinstance(value, Mapping):
            self.problem(name, 'must be an object {"person": id, "full_name": …, "address": …}')
            return None
        person = self.ident(f"{name}.person", value.get("person"))
        out = Applicant(person or "", self.text(f"{name}.full_name", value.get("full_name")),
                        self.text(f"{name}.address", value.get("address")),
                        self.text(f"{name}.authority", value.get("authority")))
        return out if person else None

    def addressee(self, name: str, value: object) -> Addressee | None:
        if not isinstance(value, Mapping):
            self.problem(name, 'must be an object {"institution": id, "template": kind}')
            return None
        inst = self.ident(f"{name}.institution", value.get("institution"))
        template = value.get("template")
        if template not in set(LetterTemplate):
            self.problem(f"{name}.template", f"must be one of {', '.join(LetterTemplate)}")
            return None
        lang = value.get("language") or ("en" if template == LetterTemplate.INTERNATIONAL else "ru")
        if lang not in LANGUAGES:
            self.problem(f"{name}.language", "must be 'ru' or 'en'")
            return None
        return Addressee(inst, LetterTemplate(str(template)), self.text(f"{name}.official", value.get("official")),
                         str(lang)) if inst else None

    def day(self, name: str, value: object) -> date | None:
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problem(name, "must be a date, YYYY-MM-DD")
            return None


def parse_draft(raw: Any, *, draft_id: str, kinds: Sequence[str], base: ComplaintDraft | None = None) -> ComplaintDraft:
    """A draft from its input form (a JSON object), or InvalidInput naming every bad field.

    ``kinds`` are the complaint kinds the record knows; ``base`` is the stored draft an edit replaces (its
    status, letters and history are kept).
    """
    r = _Reader()
    if not isinstance(raw, Mapping):
        raise InvalidInput([Problem(LOCATION, "", "must be a JSON object")])
    known = {"cases", "findings", "applicants", "representative", "addressees", "requests", "evidence", "subject",
             "substance", "letter_date", "will_sign", "kind", "respondent", "follows"}
    for key in raw:
        if key not in known:
            r.problem(str(key), f"is not a field of a complaint; use {', '.join(sorted(known))}")
    cases = r.ids("cases", raw.get("cases"), required=True)
    applicants_raw = raw.get("applicants") or []
    if not isinstance(applicants_raw, list) or len(applicants_raw) > MAX_ITEMS:
        r.problem("applicants", f"must be a list of at most {MAX_ITEMS} applicants")
        applicants_raw = []
    applicants = tuple(a for i, x in enumerate(applicants_raw) if (a := r.applicant(f"applicants[{i}]", x)))
    rep_raw = raw.get("representative")
    representative = r.applicant("representative", rep_raw) if rep_raw not in (None, {}) else None
    addressees_raw = raw.get("addressees") or []
    if not isinstance(addressees_raw, list) or len(addressees_raw) > MAX_ITEMS:
        r.problem("addressees", f"must be a list of at most {MAX_ITEMS} addressees")
        addressees_raw = []
    addressees = tuple(b for i, x in enumerate(addressees_raw) if (b := r.addressee(f"addressees[{i}]", x)))
    seen = [a.institution_id for a in addressees]
    if len(set(seen)) != len(seen):
        r.problem("addressees", "name each addressee once")
    people = [a.person_id for a in applicants] + ([representative.person_id] if representative else [])
    if len(set(people)) != len(people):
        r.problem("applicants", "name each person once")
    requests_raw = raw.get("requests") or []
    requests: list[ComplaintRequest] = []
    if not isinstance(requests_raw, list):
        r.problem("requests", f"must be a list of {', '.join(ComplaintRequest)}")
    else:
        for i, x in enumerate(requests_raw):
            if x in set(ComplaintRequest):
                requests.append(ComplaintRequest(str(x)))
            else:
                r.problem(f"requests[{i}]", f"must be one of {', '.join(ComplaintRequest)}")
    kind = raw.get("kind") or None
    if kind is not None and kind not in kinds:
        r.problem("kind", f"must be one of {', '.join(kinds)}")
        kind = None
    respondent = r.ident("respondent", raw.get("respondent")) if raw.get("respondent") else None
    follows = r.ident("follows", raw.get("follows")) if raw.get("follows") else None
    will_sign = raw.get("will_sign", False)
    if not isinstance(will_sign, bool):
        r.problem("will_sign", "must be true or false")
        will_sign = False
    draft = ComplaintDraft(
        id=draft_id, case_ids=cases, applicants=applicants, addressees=addressees,
        finding_keys=r.ids("findings", raw.get("findings")), requests=tuple(dict.fromkeys(requests)),
        evidence_ids=r.ids("evidence", raw.get("evidence")), representative=representative,
        subject=r.text("subject", raw.get("subject")), substance=r.text("substance", raw.get("substance"), MAX_TEXT),
        letter_date=r.day("letter_date", raw.get("letter_date")), will_sign=will_sign, kind=str(kind) if kind else None,
        respondent_id=respondent, follows=follows)
    if r.problems:
        raise InvalidInput(r.problems)
    if base is not None:
        draft = replace(draft, status=base.status, letters=base.letters, complaint_event_id=base.complaint_event_id,
                        source_id=base.source_id, follows=draft.follows or base.follows, created_by=base.created_by,
                        version=base.version)
    return draft


# -- the record the ledger hashes and storage seals -----------------------------------------------------------
def _person(a: Applicant) -> dict[str, object]:
    return {"person": a.person_id, "full_name": a.full_name, "address": a.address, "authority": a.authority}


def draft_to_record(d: ComplaintDraft) -> dict[str, Any]:
    """The full state of a draft, as the ledger records it (storage seals all but its status)."""
    return {
        "id": d.id, "cases": list(d.case_ids), "status": d.status.value, "version": d.version,
        "applicants": [_person(a) for a in d.applicants],
        "representative": _person(d.representative) if d.representative else None,
        "addressees": [{"institution": a.institution_id, "template": a.template.value, "official": a.official,
                        "language": a.language} for a in d.addressees],
        "findings": list(d.finding_keys), "facts": list(d.facts), "requests": [x.value for x in d.requests],
        "evidence": list(d.evidence_ids), "subject": d.subject, "substance": d.substance,
        "letter_date": d.letter_date.isoformat() if d.letter_date else None, "will_sign": d.will_sign,
        "kind": d.kind, "respondent": d.respondent_id, "follows": d.follows, "created_by": d.created_by,
        "letters": [{"institution": x.institution_id, "file": x.file_id, "sha256": x.sha256, "size": x.size,
                     "stored_path": x.stored_path} for x in d.letters],
        "complaint_event": d.complaint_event_id, "source": d.source_id,
    }


def _applicant(x: Mapping[str, Any]) -> Applicant:
    return Applicant(str(x["person"]), str(x.get("full_name") or ""), str(x.get("address") or ""),
                     str(x.get("authority") or ""))


def draft_from_record(rec: Mapping[str, Any]) -> ComplaintDraft:
    """The draft a stored record holds."""
    rep = rec.get("representative")
    return ComplaintDraft(
        id=str(rec["id"]), case_ids=tuple(rec["cases"]), status=DraftStatus(rec["status"]),
        version=int(rec["version"]), applicants=tuple(_applicant(x) for x in rec["applicants"]),
        representative=_applicant(rep) if rep else None,
        addressees=tuple(Addressee(str(a["institution"]), LetterTemplate(a["template"]), str(a.get("official") or ""),
                                   str(a.get("language") or "ru")) for a in rec["addressees"]),
        finding_keys=tuple(rec.get("findings") or ()), facts=tuple(rec.get("facts") or ()),
        requests=tuple(ComplaintRequest(x) for x in rec.get("requests") or ()),
        evidence_ids=tuple(rec.get("evidence") or ()), subject=str(rec.get("subject") or ""),
        substance=str(rec.get("substance") or ""),
        letter_date=date.fromisoformat(rec["letter_date"]) if rec.get("letter_date") else None,
        will_sign=bool(rec.get("will_sign")), kind=rec.get("kind"), respondent_id=rec.get("respondent"),
        follows=rec.get("follows"), created_by=str(rec.get("created_by") or ""),
        letters=tuple(FinalLetter(str(x["institution"]), str(x["file"]), str(x["sha256"]), int(x["size"]),
                                  str(x.get("stored_path") or "")) for x in rec.get("letters") or ()),
        complaint_event_id=rec.get("complaint_event"), source_id=rec.get("source"),
    )


def draft_to_input(d: ComplaintDraft) -> dict[str, Any]:
    """The draft as its input form (what an edit sends back)."""
    rec = draft_to_record(d)
    return {"cases": rec["cases"], "findings": rec["findings"], "applicants": rec["applicants"],
            "representative": rec["representative"], "addressees": rec["addressees"], "requests": rec["requests"],
            "evidence": rec["evidence"], "subject": d.subject, "substance": d.substance,
            "letter_date": rec["letter_date"], "will_sign": d.will_sign, "kind": d.kind,
            "respondent": d.respondent_id, "follows": d.follows}


# -- what a letter says, ready for a template --------------------------------------------------------------
@dataclass(frozen=True)
class LetterFact:
    """One fact the letter states: when, what, where, and the sources that show it."""

    when: str
    what: str
    where: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class LetterFinding:
    """One finding the letter rests on, with the legal basis of its rule."""

    rule_id: str
    title: str
    explanation: str
    legal_basis: tuple[str, ...]


@dataclass(frozen=True)
class Letter:
    """Everything one letter of a draft says, in its language; a template turns it into a page."""

    draft_id: str
    template: LetterTemplate
    language: str
    addressee: str
    official: str
    applicants: tuple[Applicant, ...]
    representative: Applicant | None
    subject: str
    substance: str
    facts: tuple[LetterFact, ...]
    findings: tuple[LetterFinding, ...]
    requests: tuple[ComplaintRequest, ...]
    attachments: tuple[str, ...]
    letter_date: str
    respondent: str = ""
    final: bool = False
    missing: tuple[str, ...] = ()


# Which template a body's letter uses by default, by institution type (InstitutionType values).
DEFAULT_TEMPLATE: Mapping[str, LetterTemplate] = {
    "prosecutor": LetterTemplate.PROSECUTOR,
    "investigative_committee": LetterTemplate.INVESTIGATIVE_COMMITTEE,
    "ombudsman": LetterTemplate.OMBUDSMAN,
    "hospital": LetterTemplate.HOSPITAL_HEAD,
    "medical_commission": LetterTemplate.HIGHER_COMMISSION,
    "court": LetterTemplate.COURT,
    "president": LetterTemplate.AUTHORITY,
    "authority": LetterTemplate.AUTHORITY,
    "military_unit": LetterTemplate.HOSPITAL_HEAD,
    "ngo": LetterTemplate.INTERNATIONAL,
    "media": LetterTemplate.INTERNATIONAL,
}

# The kind of complaint (ComplaintKind values) a template files, unless the lawyer says otherwise.
TEMPLATE_KIND: Mapping[LetterTemplate, str] = {
    LetterTemplate.PROSECUTOR: "appeal",
    LetterTemplate.INVESTIGATIVE_COMMITTEE: "appeal",
    LetterTemplate.OMBUDSMAN: "ombudsman_complaint",
    LetterTemplate.HOSPITAL_HEAD: "appeal",
    LetterTemplate.HIGHER_COMMISSION: "appeal",
    LetterTemplate.COURT: "court_claim",
    LetterTemplate.AUTHORITY: "appeal",
    LetterTemplate.INTERNATIONAL: "appeal",
}


# -- the lifecycle of a sent complaint -----------------------------------------------------------------------
class Step(StrEnum):
    """What can happen to a complaint after it is final."""

    SENT = "sent"
    REGISTERED = "registered"
    FORWARDED = "forwarded"
    EXTENDED = "extended"
    ANSWERED = "answered"


@dataclass(frozen=True)
class LifecycleStep:
    """One recorded step of a complaint: what happened, when, at which body, and its particulars."""

    step: Step
    on: date
    institution_id: str | None = None
    channel: str | None = None
    number: str = ""
    forwarded_to: str | None = None
    days: int | None = None
    notice: bool = False
    outcome: str | None = None
    answer: str = ""
    source_id: str | None = None


def parse_step(raw: Any, *, channels: Sequence[str], outcomes: Sequence[str]) -> LifecycleStep:
    """A lifecycle step from its input (a JSON object), or InvalidInput naming every bad field."""
    r = _Reader()
    if not isinstance(raw, Mapping):
        raise InvalidInput([Problem(LOCATION, "", "must be a JSON object")])
    step_raw = raw.get("step")
    if step_raw not in set(Step):
        raise InvalidInput([Problem(LOCATION, "step", f"must be one of {', '.join(Step)}")])
    step = Step(str(step_raw))
    on = r.day("date", raw.get("date"))
    if on is None and not any(p.field == "date" for p in r.problems):
        r.problem("date", "give the date, YYYY-MM-DD")
    inst = r.ident("institution", raw["institution"]) if raw.get("institution") else None
    if step is not Step.SENT and inst is None and not any(p.field == "institution" for p in r.problems):
        r.problem("institution", "name the body that did this")
    channel = raw.get("channel") or None
    if step is Step.SENT and channel not in channels:
        r.problem("channel", f"must be one of {', '.join(channels)}")
    target = None
    if step is Step.FORWARDED:
        target = r.ident("forwarded_to", raw.get("forwarded_to"))
    days = raw.get("days")
    if step is Step.EXTENDED:
        if isinstance(days, str) and days.strip().isdigit():
            days = int(days)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
            r.problem("days", "give the extension in days (a whole number from 1)")
            days = None
    notice = raw.get("notice", False)
    if notice in ("on", "true", "1"):
        notice = True
    if notice in ("", "false", "0", None):
        notice = False
    if not isinstance(notice, bool):
        r.problem("notice", "must be true or false")
        notice = False
    outcome = raw.get("outcome") or None
    if step is Step.ANSWERED and outcome not in outcomes:
        r.problem("outcome", f"must be one of {', '.join(outcomes)}")
    source = r.ident("source", raw["source"]) if raw.get("source") else None
    number, answer = r.text("number", raw.get("number")), r.text("answer", raw.get("answer"), MAX_TEXT)
    if r.problems or on is None:
        raise InvalidInput(r.problems)
    return LifecycleStep(step, on, inst, str(channel) if step is Step.SENT else None, number, target,
                         days if step is Step.EXTENDED else None, notice,
                         str(outcome) if step is Step.ANSWERED else None, answer, source)
