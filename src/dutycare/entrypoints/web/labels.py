"""Words for the record's vocabulary as people read them: field names, choices, statuses, roles.

Event type names come from EVENT_SPECS (which carries ru and en); everything else is a gettext message here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dutycare.adapters.importers.table_layout import EXAMPLE_REFUSED
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
    # person roles
    "affected": N_("affected person"), "advocate": N_("advocate"), "relative": N_("relative"),
    "witness": N_("witness"), "official": N_("official"),
    # institution types
    "hospital": N_("hospital"), "medical_commission": N_("military medical commission"),
    "military_unit": N_("military unit"), "authority": N_("authority"), "president": N_("President"),
    "prosecutor": N_("prosecutor's office"), "investigative_committee": N_("Investigative Committee"),
    "ombudsman": N_("ombudsman"), "court": N_("court"), "media": N_("media"),
    "ngo": N_("non-governmental organisation"),
    # source kinds
    "interview": N_("interview"), "medical_document": N_("medical document"),
    "official_document": N_("official document"), "news_report": N_("news report"),
    "own_account": N_("own account"), "witness_account": N_("witness account"),
    # roles
    "caseworker": N_("caseworker"), "lawyer": N_("lawyer"), "analyst": N_("analyst"),
    "coordinator": N_("coordinator"), "partner": N_("partner"),
    # findings and deadlines
    "established": N_("established"), "possible": N_("possible"), "high": N_("high"), "medium": N_("medium"),
    "low": N_("low"), "pending": N_("pending"), "met": N_("met"), "overdue": N_("overdue"),
    "possibly_overdue": N_("possibly overdue"),
    # pattern groupings, flags and publication states
    "grouping_facility": N_("Hospital"), "grouping_commission": N_("Medical commission"),
    "grouping_region": N_("Region"), "grouping_month": N_("Month"), "grouping_quarter": N_("Quarter"),
    "grouping_year": N_("Year"), "grouping_rule": N_("Rule"),
    "flag_higher": N_("more often than the rest"), "flag_lower": N_("less often than the rest"),
    "publication_draft": N_("draft, awaiting approval"), "publication_approved": N_("approved"),
    "publication_withdrawn": N_("withdrawn"),
    # audit actions
    "read_case": N_("case page read"),
    "read_identifying": N_("read identifying details"), "export": N_("export"), "sign_in": N_("sign-in"),
    "user_created": N_("user created"), "user_changed": N_("user changed"), "token_created": N_("token created"),
    "token_revoked": N_("token revoked"), "case_access_changed": N_("case access changed"),
    "password_changed": N_("password changed"), "second_factor_changed": N_("second factor changed"),
    "evidence_taken_out": N_("evidence file taken out"),
    "intake_unlocked": N_("intake key unlocked"), "intake_locked": N_("intake key locked"),
    "intake_read": N_("intake submission read"), "intake_contact_read": N_("intake contact read"),
    "intake_marked": N_("intake submission marked"), "intake_replied": N_("intake reply sent"),
    "intake_case_created": N_("case made from an intake submission"),
}

CLOCK_LABELS: dict[str, str] = {
    "registration": N_("registration"), "forwarding": N_("forwarding"), "response": N_("answer"),
    "records": N_("copies of medical records"), "filing": N_("filing window"), "process": N_("whole process"),
}

PROBLEM_MESSAGES: dict[str, str] = {
    "is empty: every submission needs the account itself": N_("is empty: every submission needs the account itself"),
    "is required": N_("is required"),
    "must be a non-empty text": N_("must be a non-empty text"),
    "must be a whole number, 0 or more": N_("must be a whole number, 0 or more"),
    "must be true or false": N_("must be true or false"),
    "must be a non-empty list of case ids": N_("name at least one case"),
    "must cite at least one source: a list of {\"source\": id}": N_("cite at least one source"),
    "cannot be changed; record a new event instead": N_("cannot be changed; record a new event instead"),
    "say why the event is withdrawn": N_("say why the event is withdrawn"),
    "must not be before the start date": N_("must not be before the start date"),
    "Field required": N_("is required"),
    "Input should be a valid integer": N_("must be a whole number"),
    "Input should be a valid boolean": N_("must be true or false"),
    "Input should be a valid string": N_("must be a text"),
    "Input should be a valid list": N_("must be a list"),
    "Input should be a valid dictionary": N_("must be an object"),
    "Input should be a valid date or datetime, input is too short": N_("must be a date like 2024-03-14"),
    "Input should be a valid date": N_("must be a date like 2024-03-14"),
    "Your role may not add or change events.": N_("Your role may not add or change events."),
    "Your role may not change who sees a case.": N_("Your role may not change who sees a case."),
    "Your role may not export case files.": N_("Your role may not export case files."),
    "Your role may not read identifying details.": N_("Your role may not read identifying details."),
    EXAMPLE_REFUSED: N_("is the template's example row (event_id EXAMPLE-ПРИМЕР); delete it, or replace it with a "
                        "real event and a new id"),
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
    (r"^The intake key's passphrase must be at least (?P<num>\d+) characters long\.$",
     N_("The intake key's passphrase must be at least %(num)s characters long.")),
    (r"^This database already has an intake key; nothing was changed .*$",
     N_("This database already has an intake key; nothing was changed (a new key would make every submission "
        "sealed to the old one unreadable).")),
    (r"^The intake database (?P<target>.+) has no intake public key yet: .*$",
     N_("The intake database %(target)s has no intake public key yet: a coordinator runs 'dutycare intake keygen' "
        "(or 'dutycare intake set-public-key' on a separate server).")),
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
    (r"^There is no case '(?P<value>.*)'\..*$", N_("There is no case '%(value)s'.")),
    (r"^There is no event '(?P<value>.*)'\.$", N_("There is no event '%(value)s'.")),
    (r"^There is no person '(?P<value>.*)'\.$", N_("There is no person '%(value)s'.")),
    (r"^There is no source '(?P<value>.*)'\.$", N_("There is no source '%(value)s'.")),
    (r"^There is no institution '(?P<value>.*)'\.$", N_("There is no institution '%(value)s'.")),
    (r"^There is no user '(?P<value>.*)'\..*$", N_("There is no user '%(value)s'.")),
    (r"^There is no token '(?P<value>.*)'\.$", N_("There is no token '%(value)s'.")),
    (r"^There is no evidence file '(?P<value>.*)'\..*$", N_("There is no evidence file '%(value)s'.")),
    (r"^There is no file at (?P<value>.*)\.$", N_("There is no file at %(value)s.")),
    (r"^There is no ledger entry (?P<value>\d+); the log holds (?P<size>\d+).*$",
     N_("There is no ledger entry %(value)s; the log holds %(size)s.")),
    (r"^There is no complaint '(?P<value>.*)'\..*$", N_("There is no complaint '%(value)s'.")),
    (r"^There is no publication '(?P<value>.*)'\..*$", N_("There is no publication '%(value)s'.")),
    (r"^Event (?P<value>\S+) is not a testimony with a text; facts are suggested from those\.$",
     N_("Event %(value)s is not a testimony with a text; facts are suggested from testimonies only.")),
    (r"^must be '(?P<first>[^']*)' or '(?P<second>[^']*)'$", N_("must be '%(first)s' or '%(second)s'")),
    (r"^There is no (?P<kind>[\w ]+) '(?P<value>.*)'\..*$", N_("Nothing is recorded under '%(value)s'.")),
    (r"^no such case: (?P<value>.*)$", N_("no such case: %(value)s")),
    (r"^an? (?P<kind>\w+) '(?P<value>.*)' already exists in the database$",
     N_("'%(value)s' already exists in the database")),
    (r"^must name an? (?P<kind>\w+) by its id$", N_("must name a record by its id")),
    (r"^unknown user\(s\): (?P<value>.*)$", N_("unknown users: %(value)s")),
    (r"^Input should be '(?P<value>.*)'$", N_("must be '%(value)s'")),
    (r"^Input should be (?P<value>'.*)$", N_("must be one of: %(value)s")),
    (r"^Input should be less than or equal to (?P<value>\S+)$", N_("must be at most %(value)s")),
    (r"^Input should be greater than or equal to (?P<value>\S+)$", N_("must be at least %(value)s")),
    (r"^String should have at most (?P<value>\d+) characters?$", N_("may have at most %(value)s characters")),
    (r"^String should have at least (?P<value>\d+) characters?$", N_("must have at least %(value)s characters")),
    (r"^Extra inputs are not permitted$", N_("is not a field of this record")),
    # where a database's key is, and what a file being imported is (bootstrap and the importers word them)
    (r"^the key file (?P<value>.+)$", N_("the key file %(value)s")),
    (r"^a passphrase \(Argon2id\)$", N_("a passphrase (Argon2id)")),
    (r"^(?P<value>.+): dutycare case file \(JSON\)$", N_("%(value)s: a dutycare case file (JSON)")),
    (r"^(?P<value>.+): JSON Lines$", N_("%(value)s: JSON Lines")),
    (r"^(?P<value>.+): Excel workbook, sheet '(?P<sheet>.*)'$", N_("%(value)s: Excel workbook, sheet «%(sheet)s»")),
    (r"^(?P<value>.+): CSV, (?P<encoding>\S+) \(detected\), (?P<sep>.+)-separated$",
     N_("%(value)s: CSV, %(encoding)s (detected), separated by: %(sep)s")),
    (r"^(?P<value>.+): CSV, (?P<encoding>\S+) \(given\), (?P<sep>.+)-separated$",
     N_("%(value)s: CSV, %(encoding)s (given), separated by: %(sep)s")),
    (r"^holds no records \(a header at most\): there is nothing to import$",
     N_("holds no records (a header at most): there is nothing to import")),
    (r"^holds no records: there is nothing to import$", N_("holds no records: there is nothing to import")),
    (r"^(?P<name>.+): the file is empty$", N_("%(name)s: the file is empty")),
    (r"^refers to (?P<kind>\w+) '(?P<value>.*)', which was withdrawn$", N_("'%(value)s' was withdrawn")),
    (r"^the case still has (?P<count>\d+) event\(s\); withdraw them first$",
     N_("the case still has events (%(count)s); withdraw them first")),
    (r"^(?P<count>\d+) case\(s\) are about this person; withdraw them first$",
     N_("cases about this person: %(count)s; withdraw them first")),
    (r"^(?P<name>.+): larger than the limit of (?P<size>\d+) MiB$",
     N_("%(name)s: larger than the limit of %(size)s MiB")),
)

AUDIT_DETAILS: tuple[tuple[str, str], ...] = (
    # (pattern of an audit entry's detail as the services write it, translatable template); a group named
    # role, state or kind is put into words with CHOICE_LABELS
    (r"^(?P<name>.+) as (?P<role>\w+) \(the first coordinator, created without an account\)$",
     N_("%(name)s, role: %(role)s (the first coordinator, created without an account)")),
    (r"^(?P<name>.+) as (?P<role>\w+)$", N_("%(name)s, role: %(role)s")),
    (r"^(?P<name>.+): role (?P<role>\w+), active; second factor reset$",
     N_("%(name)s: role %(role)s, active; second factor reset")),
    (r"^(?P<name>.+): role (?P<role>\w+), suspended; second factor reset$",
     N_("%(name)s: role %(role)s, suspended; second factor reset")),
    (r"^(?P<name>.+): role (?P<role>\w+), active$", N_("%(name)s: role %(role)s, active")),
    (r"^(?P<name>.+): role (?P<role>\w+), suspended$", N_("%(name)s: role %(role)s, suspended")),
    (r"^password$", N_("with a password")),
    (r"^password and second factor$", N_("with a password and a second factor")),
    (r"^(?P<name>.+): turned on$", N_("%(name)s: second factor turned on")),
    (r"^for (?P<name>[^:]+): (?P<label>.*)$", N_("for %(name)s: %(label)s")),
    (r"^restricted; named: (?P<names>.*)$", N_("restricted; named users: %(names)s")),
    (r"^open; named: (?P<names>.*)$", N_("open to every staff member; named users: %(names)s")),
    (r"^person (?P<value>.+)$", N_("the person's identifying details")),
    (r"^(?P<cases>\d+) case\(s\), (?P<events>\d+) event\(s\)$", N_("cases: %(cases)s, events: %(events)s")),
    (r"^(?P<cases>\d+) case\(s\), (?P<events>\d+) event\(s\) as (?P<kind>\w+)$",
     N_("cases: %(cases)s, events: %(events)s, as %(kind)s")),
    (r"^event (?P<value>\S+), (?P<size>\d+) bytes$", N_("%(size)s bytes")),
    (r"^(?P<table>\w+): (?P<num>\d+) row\(s\), csv$", N_("CSV of %(table)s: %(num)s rows")),
)

RECORD_KINDS: dict[str, str] = {
    "person": N_("people"), "people": N_("people"), "institution": N_("institutions"),
    "institutions": N_("institutions"), "source": N_("sources"), "sources": N_("sources"), "case": N_("cases"),
    "cases": N_("cases"), "event": N_("events"), "events": N_("events"), "evidence": N_("evidence files"),
    "findings": N_("findings"), "deadlines": N_("deadlines"),
}
"""Kinds of record as counts name them ("people: 5")."""

TARGET_KINDS: dict[str, str] = {
    "case": N_("case"), "user": N_("user"), "token": N_("API token"), "evidence": N_("evidence file"),
    "case_file": N_("case file"),
}

SEPARATORS: dict[str, str] = {"comma": N_("comma"), "semicolon": N_("semicolon"), "tab": N_("tab")}

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
        known = PROBLEM_MESSAGES.get(message) or COMPLAINT_PROBLEMS.get(message)
        if known:
            return gettext(known)
        for pattern, template in (*PROBLEM_PATTERNS, *COMPLAINT_PATTERNS):
            found = re.match(pattern, message)
            if found:
                values = {k: gettext(SEPARATORS[v]) if k == "sep" and v in SEPARATORS else v
                          for k, v in found.groupdict().items()}
                return gettext(template) % values
        return message
    return translate


def audit_detail_translator(gettext: Callable[[str], str]) -> Callable[[str], str]:
    """A function that puts an audit entry's detail (written in English by the services) into the reader's language."""
    label = labeller(gettext)

    def translate(detail: str) -> str:
        for pattern, template in AUDIT_DETAILS:
            found = re.match(pattern, detail)
            if found:
                values = {k: label(v) if k in ("role", "state", "kind") else
                          gettext(RECORD_KINDS[v]) if k == "table" and v in RECORD_KINDS else v
                          for k, v in found.groupdict().items()}
                return gettext(template) % values
        return detail
    return translate


def labeller(gettext: Callable[[str], str]) -> Callable[[str | None], str]:
    """A function that names a vocabulary value (falling back to the value itself)."""
    def label(value: str | None) -> str:
        if value is None:
            return ""
        known = (FIELD_LABELS.get(value) or CHOICE_LABELS.get(value) or RELIABILITY_LABELS.get(value)
                 or COMPLAINT_LABELS.get(value))
        return gettext(known) if known else value
    return label


_FIELD_PATH = re.compile(r"^(?P<name>\w+)(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>\w+))?$")


def complaint_field_namer(gettext: Callable[[str], str]) -> Callable[[str], str]:
    """A function that names a complaint field a problem points at: «Заявители 3, адрес для ответа»."""
    def name(path: str) -> str:
        found = _FIELD_PATH.match(path)
        if found is None:
            return path
        base = COMPLAINT_FIELDS.get(found["name"])
        out = gettext(base) if base else found["name"]
        if found["index"] is not None:
            out += f" {int(found['index']) + 1}"
        if found["sub"]:
            sub = COMPLAINT_FIELDS.get(found["sub"])
            out += ", " + (gettext(sub) if sub else found["sub"])
        return out
    return name


# Complaint drafts: templates, requests, kinds, statuses and the fields a problem names.
COMPLAINT_LABELS: dict[str, str] = {
    "prosecutor": N_("prosecutor's office"), "investigative_committee": N_("Investigative Committee"),
    "ombudsman": N_("ombudsman"), "hospital_head": N_("head of the hospital"),
    "higher_commission": N_("higher military medical commission"), "court": N_("court claim (CAS ch. 22)"),
    "authority": N_("public body (59-FZ appeal)"), "international": N_("international body (in English)"),
    "provide_treatment": N_("provide the recommended treatment"),
    "reexamination": N_("re-examination by a higher military medical commission"),
    "independent_expertise": N_("an independent military-medical expertise (NVVE)"),
    "prosecutor_check": N_("a check by the prosecutor"), "hold_accountable": N_("bring those responsible to account"),
    "appeal": N_("appeal (59-FZ)"), "crime_report": N_("crime report (CPC art. 144)"),
    "ombudsman_complaint": N_("complaint to an ombudsman"), "court_claim": N_("claim to a court"),
    "draft": N_("draft"), "final": N_("final"), "sent": N_("sent"), "registered": N_("registered"),
    "forwarded": N_("forwarded"), "extended": N_("extended"), "answered": N_("answered"),
}

COMPLAINT_FIELDS: dict[str, str] = {
    "addressees": N_("Addressees"), "applicants": N_("Applicants"), "full_name": N_("full name"),
    "address": N_("address for the reply"), "person": N_("person"), "template": N_("template"),
    "institution": N_("body"), "representative": N_("Representative"), "substance": N_("Substance"),
    "letter_date": N_("Date of the letter"), "will_sign": N_("Signature"), "findings": N_("Findings"),
    "requests": N_("Requests"), "evidence": N_("Attached evidence"), "cases": N_("Cases"), "kind": N_("Kind"),
    "respondent": N_("Respondent"), "status": N_("Status"), "step": N_("Step"), "date": N_("Date"),
    "channel": N_("Channel"), "forwarded_to": N_("Forwarded to"), "days": N_("Extended by (days)"),
    "outcome": N_("Outcome"), "answer_file": N_("The answer as a file"), "number": N_("Registration number"),
    "subject": N_("Subject"), "official": N_("Official addressed"), "format": N_("Format"),
    "notice": N_("Notice given"), "source": N_("Sources"), "follows": N_("Follows complaint"),
}

# What the complaint services say is wrong with an input.
COMPLAINT_PROBLEMS: dict[str, str] = {
    "name the body or official the letter is addressed to": N_("name the body or official the letter is addressed to"),
    "name at least one applicant": N_("name at least one applicant"),
    "write the applicant's full name (surname, first name and patronymic, if any)":
        N_("write the applicant's full name (surname, first name and patronymic, if any)"),
    "give a postal or e-mail address for the reply": N_("give a postal or e-mail address for the reply"),
    "write the representative's full name": N_("write the representative's full name"),
    "give the representative's address for the reply": N_("give the representative's address for the reply"),
    "state the substance: pick findings or describe the complaint":
        N_("state the substance: pick findings or describe the complaint"),
    "give the date of the letter": N_("give the date of the letter"),
    "confirm that every applicant signs the printed letter":
        N_("confirm that every applicant signs the printed letter"),
    "name at least one": N_("name at least one"),
    "name each addressee once": N_("name each addressee once"),
    "name each person once": N_("name each person once"),
    "the letter is final and can no longer be changed; draft a new one":
        N_("the letter is final and can no longer be changed; draft a new one"),
    "the letter is already final": N_("the letter is already final"),
    "make the letter final before recording that it was sent":
        N_("make the letter final before recording that it was sent"),
    "the complaint's sending is already recorded": N_("the complaint's sending is already recorded"),
    "record that the complaint was sent first": N_("record that the complaint was sent first"),
    "name a body the complaint was sent or forwarded to": N_("name a body the complaint was sent or forwarded to"),
    "a body cannot forward a complaint to itself": N_("a body cannot forward a complaint to itself"),
    "record the body's registration of the complaint before its answer":
        N_("record the body's registration of the complaint before its answer"),
    "name the body that did this": N_("name the body that did this"),
    "give the date, YYYY-MM-DD": N_("give the date, YYYY-MM-DD"),
    "must be a date, YYYY-MM-DD": N_("must be a date, YYYY-MM-DD"),
    "give the extension in days (a whole number from 1)": N_("give the extension in days (a whole number from 1)"),
    "is not a finding of these cases (it may have changed; pick again)":
        N_("is not a finding of these cases (it may have changed; pick again)"),
    "this complaint offers no such next step": N_("this complaint offers no such next step"),
}

COMPLAINT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^There is no complaint '(?P<value>.*)'\.$", N_("There is no complaint '%(value)s'.")),
    (r"^The complaint '(?P<value>.*)' has no addressee '(?P<body>.*)'\.$",
     N_("The complaint '%(value)s' is not addressed to '%(body)s'.")),
    (r"^there is no (?:body|case|person|complaint|source|evidence file) '(?P<value>.*?)'.*$",
     N_("'%(value)s' does not exist")),
    (r"^the complaint was sent on (?P<day>[\d-]+); (?P<step>\w+) cannot come before it$",
     N_("the complaint was sent on %(day)s; this cannot come before it")),
    (r"^the complaint was registered there on (?P<day>[\d-]+); the answer cannot come before it$",
     N_("the complaint was registered there on %(day)s; the answer cannot come before it")),
    (r"^the letter is dated (?P<day>[\d-]+); it cannot have been sent before$",
     N_("the letter is dated %(day)s; it cannot have been sent before")),
    (r"^must be one of (?P<allowed>.*)$", N_("must be one of %(allowed)s")),
)
