"""Words for the record's vocabulary as people read them: field names, choices, statuses, roles.

Event type names come from EVENT_SPECS (which carries ru and en); everything else is a gettext message here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dutycare.domain.events import EVENT_SPECS, EventType
from dutycare.domain.limits import NUL_FAULT, SURROGATE_FAULT
from dutycare.entrypoints.web.i18n import N_

FIELD_LABELS: dict[str, str] = {
    "injury": N_("Injury"), "circumstances": N_("Circumstances"), "body_part": N_("Part of the body"),
    "finding": N_("Finding"), "documents_injury": N_("Documents the injury"), "treatment": N_("Treatment"),
    "urgency": N_("Urgency"), "recommended_by": N_("Recommended by"), "reason": N_("Reason"),
    "reason_kind": N_("Kind of reason"), "refused_by": N_("Refused by"), "condition": N_("Condition"),
    "category": N_("Fitness category"), "causal_link": N_("Causal link"), "basis": N_("Basis"),
    "statement": N_("Statement"), "labelled_by": N_("Labelled by"), "destination": N_("Destination"),
    "addressees": N_("Addressees"), "applicants": N_("Applicants"), "channel": N_("Channel"),
    "subject": N_("Subject"), "complaint": N_("Complaint"), "registration_number": N_("Registration number"),
    "forwarded_to": N_("Forwarded to"), "extended_by_days": N_("Extended by (days)"),
    "notice_given": N_("Notice given"), "outcome": N_("Outcome"), "answer": N_("Answer"),
    "records": N_("Records requested"), "request": N_("Request"), "speaker": N_("Speaker"), "claim": N_("Claim"),
    "given_by": N_("Given by"), "text": N_("Text"),
    "order_reference": N_("Written order cited"), "order_date": N_("Date of the order"),
    "informed_consent_form": N_("Refusal signed on an informed-refusal form"),
    "kind": N_("Kind of complaint"), "respondent": N_("Complained about"),
    "registered_on": N_("Request registered on"),
    # fields of every event
    "type": N_("Event type"), "date": N_("Date"), "cases": N_("Cases"), "institution": N_("Institution"),
    "summary": N_("Summary"), "sources": N_("Sources"), "id": N_("Identifier"), "locator": N_("Place in source"),
}

CHOICE_LABELS: dict[str, str] = {
    # urgency
    "routine": N_("routine"), "urgent": N_("urgent"), "emergency": N_("emergency"),
    # refusal reasons
    "unwritten_directive": N_("an unwritten or unnamed directive"), "no_indication": N_("no medical indication"),
    "no_capacity": N_("no capacity"), "malingering": N_("alleged malingering"), "paperwork": N_("paperwork"),
    "none_given": N_("no reason given"), "other": N_("other"),
    "written_order": N_("a named, dated written order"),
    # discharge
    "recovered": N_("recovered"), "improved": N_("improved"), "not_recovered": N_("not recovered"),
    "unknown": N_("unknown"),
    # causal link
    "military_trauma": N_("military trauma"), "service_illness": N_("illness acquired in service"),
    "general_illness": N_("general illness"), "not_stated": N_("not stated"),
    # channel
    "letter": N_("letter"), "email": N_("e-mail"), "online_portal": N_("online portal"),
    "video_message": N_("video message"), "in_person": N_("in person"),
    "gosuslugi": N_("official portal (Gosuslugi)"),
    # complaint kinds
    "appeal": N_("appeal (59-FZ)"), "crime_report": N_("crime report (Criminal Procedure Code art. 144)"),
    "ombudsman_complaint": N_("complaint to an ombudsman"), "court_claim": N_("administrative claim to a court"),
    # outcome
    "satisfied": N_("satisfied"), "partly_satisfied": N_("partly satisfied"), "refused": N_("refused"),
    "no_violation_found": N_("no violation found"), "formal_reply": N_("formal reply"),
    # statement claims
    "no_restrictions_on_care": N_("no restrictions on care"), "care_as_usual": N_("care goes on as usual"),
    "allegations_unfounded": N_("allegations unfounded"),
    # case status
    "open": N_("open"), "escalated": N_("escalated"), "resolved": N_("resolved"), "closed": N_("closed"),
    # service status
    "contract": N_("contract soldier"), "mobilised": N_("mobilised"), "conscript": N_("conscript"),
    "volunteer": N_("volunteer"), "former": N_("former serviceman"), "civilian": N_("civilian"),
    # roles
    "caseworker": N_("caseworker"), "lawyer": N_("lawyer"), "analyst": N_("analyst"),
    "coordinator": N_("coordinator"), "partner": N_("partner"),
    # findings and deadlines
    "established": N_("established"), "possible": N_("possible"), "high": N_("high"), "medium": N_("medium"),
    "low": N_("low"), "pending": N_("pending"), "met": N_("met"), "overdue": N_("overdue"),
    "possibly_overdue": N_("possibly overdue"),
    # audit actions
    "read_case": N_("case page read"),
    "read_identifying": N_("read identifying details"), "export": N_("export"), "sign_in": N_("sign-in"),
    "user_created": N_("user created"), "user_changed": N_("user changed"), "token_created": N_("token created"),
    "token_revoked": N_("token revoked"), "case_access_changed": N_("case access changed"),
    "password_changed": N_("password changed"), "second_factor_changed": N_("second factor changed"),
    "evidence_taken_out": N_("evidence file taken out"),
}

CLOCK_LABELS: dict[str, str] = {
    "registration": N_("registration"), "forwarding": N_("forwarding"), "response": N_("answer"),
    "records": N_("copies of medical records"), "filing": N_("filing window"), "process": N_("whole process"),
}

PROBLEM_MESSAGES: dict[str, str] = {
    "is required": N_("is required"),
    "must be a non-empty text": N_("must be a non-empty text"),
    "must be a whole number, 0 or more": N_("must be a whole number, 0 or more"),
    "must be true or false": N_("must be true or false"),
    "must be a non-empty list of case ids": N_("name at least one case"),
    "must cite at least one source: a list of {\"source\": id}": N_("cite at least one source"),
    "cannot be changed; record a new event instead": N_("cannot be changed; record a new event instead"),
    "say why the event is withdrawn": N_("say why the event is withdrawn"),
    "choose at least one file": N_("choose at least one file"),
    "say why it is withdrawn": N_("say why it is withdrawn"),
    "events still cite this source; correct or withdraw them first":
        N_("events still cite this source; correct or withdraw them first"),
    "events still name this institution; correct them first": N_("events still name this institution; correct "
                                                                  "them first"),
    "say why the copy was made (for example: names blacked out)":
        N_("say why the copy was made (for example: names blacked out)"),
    NUL_FAULT: N_("holds a NUL character, which cannot be stored"),
    SURROGATE_FAULT: N_("holds a broken character (an unpaired surrogate), which cannot be stored"),
}

# Validation messages with values in them: (pattern of the domain's English message, translatable template).
PROBLEM_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^is required for a (?P<type>\w+) event$", N_("is required for this type of event")),
    (r"^'(?P<value>.*)' is not one of: (?P<allowed>.*)$", N_("'%(value)s' is not one of: %(allowed)s")),
    (r"^'(?P<value>.*)' is not a fitness category; use .*$",
     N_("'%(value)s' is not a fitness category; use А, Б, В, Г or Д")),
    (r"^refers to (?P<kind>\w+) '(?P<value>.*)', which does not exist$", N_("'%(value)s' does not exist")),
    (r"^'(?P<value>.*)' is not a date; .*$",
     N_("'%(value)s' is not a date; use 2024-03-14, 2024-03, 2024, a range A/B, or ~ for approximate")),
    (r"^'(?P<value>.*)' is not a real calendar date.*$", N_("'%(value)s' is not a real calendar date")),
    (r"^is (?P<length>\d+) characters long; at most (?P<limit>\d+)$",
     N_("is %(length)s characters long; at most %(limit)s")),
    (r"^is (?P<length>\d+) characters long; ids may have at most (?P<limit>\d+)$",
     N_("is %(length)s characters long; an id may have at most %(limit)s")),
    (r"^is too large; at most (?P<limit>\d+)\b.*$", N_("is too large; at most %(limit)s")),
    (r"^(?P<name>.+): the file is empty$", N_("%(name)s: the file is empty")),
    (r"^refers to (?P<kind>\w+) '(?P<value>.*)', which was withdrawn$", N_("'%(value)s' was withdrawn")),
    (r"^the case still has (?P<count>\d+) event\(s\); withdraw them first$",
     N_("the case still has events (%(count)s); withdraw them first")),
    (r"^(?P<count>\d+) case\(s\) are about this person; withdraw them first$",
     N_("cases about this person: %(count)s; withdraw them first")),
    (r"^(?P<name>.+): larger than the limit of (?P<size>\d+) MiB$",
     N_("%(name)s: larger than the limit of %(size)s MiB")),
)

RELIABILITY_LABELS: dict[str, str] = {
    "A": N_("A — completely reliable"), "B": N_("B — usually reliable"), "C": N_("C — fairly reliable"),
    "D": N_("D — not usually reliable"), "E": N_("E — unreliable"), "F": N_("F — reliability unknown"),
}


def event_type_label(event_type: EventType | str, lang: str) -> str:
    """The name of an event type in a language."""
    spec = EVENT_SPECS[EventType(event_type)]
    return spec.label_ru if lang == "ru" else spec.label_en


def problem_translator(gettext: Callable[[str], str]) -> Callable[[str], str]:
    """A function that puts a validation message from the domain into the reader's language where it can."""
    def translate(message: str) -> str:
        known = PROBLEM_MESSAGES.get(message)
        if known:
            return gettext(known)
        for pattern, template in PROBLEM_PATTERNS:
            found = re.match(pattern, message)
            if found:
                return gettext(template) % found.groupdict()
        return message
    return translate


def labeller(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """A function that names a vocabulary value (falling back to the value itself)."""
    def label(value: str | None) -> str:
        if value is None:
            return ""
        known = FIELD_LABELS.get(value) or CHOICE_LABELS.get(value) or RELIABILITY_LABELS.get(value)
        return gettext(known) if known else value
    return label
