"""Triage of the public intake in the staff application: unlock the intake key, read submissions in memory, mark
spam, reply through the receipt, and turn a submission into a case from the facts a person accepted.

A coordinator unlocks the intake key with its passphrase; it then stays in this process's memory only, for
``UNLOCK_MINUTES`` or until locked again, and the caseworkers the role table allows may triage too. Every read,
reply, spam mark, unlock and case made from a submission is audited. Contacts are opened only on purpose (and
audited); they never go into a case.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from dutycare.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound, Problem
from dutycare.domain.events import EVENT_SPECS, EventType, FieldKind
from dutycare.domain.interchange import FORMAT_NAME, FORMAT_VERSION
from dutycare.domain.suggested_facts import EVENT_OF_KIND as FACT_EVENTS
from dutycare.domain.suggested_facts import Suggestion
from dutycare.domain.vocabulary import InstitutionType
from dutycare.service_layer import audit, evidence, services
from dutycare.service_layer.access import Permission, allows
from dutycare.service_layer.accounts import StaffUnitOfWork, User
from dutycare.service_layer.audit import AuditAction
from dutycare.service_layer.intake_records import PartKind, SubmissionRow, SubmissionStatus, part_aad, reply_aad
from dutycare.service_layer.ports import EvidenceStore, FactSuggester, IntakeKey, IntakeKeyLock, IntakeStore

UNLOCK_MINUTES = 30
MAX_REPLY = 5_000
QUEUE_PAGE = 100
SNIPPET = 160

# The suggestion kinds that become an event of their own (a complaint needs its addressees and applicants named,
# so it is made on the case page instead), and the event type each becomes.
EVENT_OF_KIND: Mapping[str, EventType] = {
    kind.value: etype for kind, etype in FACT_EVENTS.items() if etype is not EventType.COMPLAINT}


# -- the key in memory ---------------------------------------------------------------------------------------
class IntakeKeyring:
    """The unlocked intake key of this staff process, in memory, for a limited time."""

    def __init__(self) -> None:
        self._key: IntakeKey | None = None
        self._until: datetime | None = None
        self._lock = threading.Lock()

    def current(self, now: datetime) -> IntakeKey | None:
        """The key while it is unlocked."""
        with self._lock:
            if self._key is not None and self._until is not None and now >= self._until:
                self._key, self._until = None, None
            return self._key

    def hold(self, key: IntakeKey, now: datetime) -> None:
        """Keep the key until UNLOCK_MINUTES from now."""
        with self._lock:
            self._key, self._until = key, now + timedelta(minutes=UNLOCK_MINUTES)

    def forget(self) -> None:
        """Lock again: the key leaves memory."""
        with self._lock:
            self._key, self._until = None, None

    def until(self) -> datetime | None:
        """When the key locks itself again."""
        return self._until


class Unlock(StrEnum):
    """What came of an unlock."""

    UNLOCKED = "unlocked"
    WRONG_PASSPHRASE = "wrong_passphrase"
    NO_KEY = "no_key"


def _may_triage(user: User) -> None:
    if not allows(user.role, Permission.INTAKE_TRIAGE):
        raise NotAllowed("Your role may not triage intake submissions.")


def unlock(uow: StaffUnitOfWork, user: User, keyring: IntakeKeyring, lock: IntakeKeyLock | None, passphrase: str,
           now: datetime) -> Unlock:
    """Unlock the intake key with its passphrase (coordinators only); the attempt is audited either way."""
    if not allows(user.role, Permission.INTAKE_UNLOCK):
        raise NotAllowed("Only a coordinator may unlock the intake key.")
    if lock is None:
        return Unlock.NO_KEY
    key = lock.unlock_or_none(passphrase)
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_UNLOCKED, "intake", "key", now,
                   "unlocked" if key else "wrong passphrase")
        uow.commit()
    if key is None:
        return Unlock.WRONG_PASSPHRASE
    keyring.hold(key, now)
    return Unlock.UNLOCKED


def lock_key(uow: StaffUnitOfWork, user: User, keyring: IntakeKeyring, now: datetime) -> None:
    """Lock the intake key again (anyone who may triage may lock it)."""
    _may_triage(user)
    keyring.forget()
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_LOCKED, "intake", "key", now)
        uow.commit()


# -- reading -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attachment:
    """A file sent with a submission, as its sealed index describes it."""

    uid: str
    name: str
    media_type: str
    size: int


@dataclass(frozen=True)
class Addition:
    """More information the submitter sent later with their receipt."""

    received_on: str
    text: str
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class QueueRow:
    """One submission in the queue: its state and the start of its account."""

    row: SubmissionRow
    snippet: str


@dataclass(frozen=True)
class SubmissionView:
    """A submission opened in memory: the account, the structured facts, files, additions and suggestions."""

    row: SubmissionRow
    lang: str
    account: str
    facts: dict[str, str]
    attachments: tuple[Attachment, ...]
    additions: tuple[Addition, ...]
    has_contact: bool
    replies: int
    suggestions: tuple[Suggestion, ...] = field(default=())
    collected: str = ""  # the collection tool's instance id, for an account collected offline (it has no receipt)


class IntakeLocked(DomainError):
    """The intake key is not unlocked in this process."""


def _key(keyring: IntakeKeyring, now: datetime) -> IntakeKey:
    key = keyring.current(now)
    if key is None:
        raise IntakeLocked("The intake key is locked: a coordinator unlocks it first.")
    return key


def _json(key: IntakeKey, sealed: bytes, uid: str, kind: PartKind) -> dict[str, Any]:
    found = json.loads(key.open(sealed, part_aad(uid, kind)).decode("utf-8"))
    return found if isinstance(found, dict) else {}


def _attachments(document: dict[str, Any]) -> tuple[Attachment, ...]:
    items = document.get("attachments")
    return tuple(Attachment(str(a.get("uid", "")), str(a.get("name", "")), str(a.get("media_type", "")),
                            int(a.get("size", 0))) for a in items if isinstance(a, dict)) if isinstance(items, list) \
        else ()


def queue(uow: StaffUnitOfWork, user: User, store: IntakeStore, keyring: IntakeKeyring, now: datetime,
          status: SubmissionStatus | None = SubmissionStatus.NEW) -> list[QueueRow]:
    """The submissions waiting (or of a status), with the start of each account when the key is unlocked; the
    read is audited."""
    _may_triage(user)
    rows = store.submissions(status, QUEUE_PAGE, 0)
    key = keyring.current(now)
    out = []
    for row in rows:
        snippet = ""
        if key is not None:
            account = next((p for p in store.parts(row.id) if p.kind is PartKind.ACCOUNT), None)
            if account is not None:
                text = str(_json(key, account.sealed, account.uid, PartKind.ACCOUNT).get("account", ""))
                snippet = text[:SNIPPET] + ("…" if len(text) > SNIPPET else "")
        out.append(QueueRow(row, snippet))
    if key is not None and rows:
        with uow:
            audit.note(uow, user, AuditAction.INTAKE_READ, "intake", "queue", now, f"{len(rows)} submission(s)")
            uow.commit()
    return out


def _row(store: IntakeStore, submission_id: str) -> SubmissionRow:
    row = store.submission(submission_id)
    if row is None:
        raise NotFound(f"There is no intake submission '{submission_id}'.")
    return row


def open_submission(uow: StaffUnitOfWork, user: User, store: IntakeStore, keyring: IntakeKeyring,
                    submission_id: str, now: datetime, suggester: FactSuggester | None = None) -> SubmissionView:
    """A submission decrypted in memory, with facts suggested from its account; the read is audited."""
    _may_triage(user)
    row = _row(store, submission_id)
    key = _key(keyring, now)
    account: dict[str, Any] = {}
    additions = []
    has_contact = False
    for part in store.parts(submission_id):
        if part.kind is PartKind.ACCOUNT:
            account = _json(key, part.sealed, part.uid, part.kind)
        elif part.kind is PartKind.ADDITION:
            doc = _json(key, part.sealed, part.uid, part.kind)
            additions.append(Addition(part.received_on, str(doc.get("text", "")), _attachments(doc)))
        elif part.kind is PartKind.CONTACT:
            has_contact = True
    text = str(account.get("account", ""))
    facts = {str(k): str(v) for k, v in (account.get("facts") or {}).items()}
    found = tuple(suggester.suggest(text, date.fromisoformat(row.received_on))) if suggester and text else ()
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_READ, "intake", submission_id, now)
        uow.commit()
    collected = account.get("collected")
    return SubmissionView(row, str(account.get("lang", "")), text, facts, _attachments(account), tuple(additions),
                          has_contact, len(store.replies(submission_id)), found,
                          str(collected.get("instance", "")) if isinstance(collected, dict) else "")


def read_contact(uow: StaffUnitOfWork, user: User, store: IntakeStore, keyring: IntakeKeyring,
                 submission_id: str, now: datetime) -> str:
    """How the submitter asked to be reached; opened only on purpose, and audited."""
    _may_triage(user)
    _row(store, submission_id)
    key = _key(keyring, now)
    part = next((p for p in store.parts(submission_id) if p.kind is PartKind.CONTACT), None)
    if part is None:
        return ""
    contact = str(_json(key, part.sealed, part.uid, part.kind).get("contact", ""))
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_CONTACT_READ, "intake", submission_id, now)
        uow.commit()
    return contact


def attachment(uow: StaffUnitOfWork, user: User, store: IntakeStore, keyring: IntakeKeyring, submission_id: str,
               uid: str, now: datetime) -> tuple[Attachment, bytes]:
    """One attached file, decrypted in memory; audited."""
    view_parts = store.parts(submission_id)
    _may_triage(user)
    key = _key(keyring, now)
    index: dict[str, Attachment] = {}
    for part in view_parts:
        if part.kind in (PartKind.ACCOUNT, PartKind.ADDITION):
            index.update({a.uid: a for a in _attachments(_json(key, part.sealed, part.uid, part.kind))})
    found = next((p for p in view_parts if p.kind is PartKind.ATTACHMENT and p.uid == uid), None)
    if found is None or uid not in index:
        raise NotFound("There is no such file in this submission.")
    data = key.open(found.sealed, part_aad(found.uid, found.kind))
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_READ, "intake", submission_id, now, f"file {uid}")
        uow.commit()
    return index[uid], data


# -- acting on a submission --------------------------------------------------------------------------------
def mark(uow: StaffUnitOfWork, user: User, store: IntakeStore, submission_id: str, status: SubmissionStatus,
         now: datetime) -> None:
    """Mark a submission as spam (or back to new); audited."""
    _may_triage(user)
    _row(store, submission_id)
    store.set_status(submission_id, status)
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_MARKED, "intake", submission_id, now, status.value)
        uow.commit()


def reply(uow: StaffUnitOfWork, user: User, store: IntakeStore, keyring: IntakeKeyring, submission_id: str,
          text: str, now: datetime, quota_bytes: int) -> None:
    """Send a reply the submitter reads with their receipt code (sealed to it: the intake server cannot read it)."""
    _may_triage(user)
    _key(keyring, now)  # only someone who has read the submission answers it
    text = text.strip()
    if not text or len(text) > MAX_REPLY:
        raise InvalidInput([Problem("reply", "text", f"write a reply of 1 to {MAX_REPLY} characters")])
    public = store.reply_key(submission_id)
    if public is None:
        raise NotFound(f"There is no intake submission '{submission_id}'.")
    key = _key(keyring, now)
    sealed = key.seal_reply(public, text, reply_aad(submission_id))
    if not store.add_reply(submission_id, now.date().isoformat(), sealed, quota_bytes):
        raise InvalidInput([Problem("reply", "text", "the intake database is full; the reply was not stored")])
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_REPLIED, "intake", submission_id, now, f"{len(text)} characters")
        uow.commit()


def _files_as_evidence(uow: StaffUnitOfWork, store: IntakeStore, keyring: IntakeKeyring, view: SubmissionView,
                       ids: Mapping[str, str], vault: EvidenceStore, now: datetime) -> None:
    """Every file sent with the submission, decrypted in memory, stored in the vault against the testimony."""
    key = _key(keyring, now)
    index = {a.uid: a for a in view.attachments + tuple(a for add in view.additions for a in add.attachments)}
    for part in store.parts(view.row.id):
        found = index.get(part.uid)
        if part.kind is not PartKind.ATTACHMENT or found is None:
            continue
        content = io.BytesIO(key.open(part.sealed, part_aad(part.uid, part.kind)))
        evidence.attach_received_file(uow, vault, case_id=ids["case"], event_id=ids["testimony"], content=content,
                                      name=found.name or "file", media_type=found.media_type,
                                      source_id=ids["source"], description="Файл из открытой формы обращений")


# -- from a submission to a case ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AcceptedFact:
    """A suggested fact a person accepted, possibly edited: its kind, value, date and the words it stands on."""

    kind: str
    summary: str
    value: dict[str, object]
    date: str = ""


@dataclass(frozen=True)
class CaseDraft:
    """What a person confirmed for a new case."""

    pseudonym: str
    title: str
    age: int | None = None
    region: str = ""
    institution_name: str = ""
    institution_type: str = ""
    testimony_date: str = ""
    facts: tuple[AcceptedFact, ...] = ()


def _event_details(fact: AcceptedFact, etype: EventType) -> dict[str, object]:
    spec = EVENT_SPECS[etype]
    details: dict[str, object] = {k: v for k, v in fact.value.items() if (f := spec.field(k)) is not None
                                  and not f.is_reference and isinstance(v, (str, int, bool))}
    for f in spec.fields:
        if f.required and f.kind is FieldKind.TEXT and not details.get(f.name):
            details[f.name] = fact.summary
    return details


def draft_document(draft: CaseDraft, view: SubmissionView, ids: Mapping[str, str]) -> dict[str, Any]:
    """The interchange document a draft becomes: a person, an own-account source, the case, and its events."""
    problems = []
    if not draft.pseudonym.strip():
        problems.append(Problem("case", "pseudonym", "give the person a pseudonym (never their real name)"))
    if not draft.title.strip():
        problems.append(Problem("case", "title", "give the case a title"))
    if problems:
        raise InvalidInput(problems)
    person: dict[str, Any] = {"id": ids["person"], "pseudonym": draft.pseudonym.strip(), "role": "affected"}
    if draft.age is not None:
        person["age"] = draft.age
        person["age_as_of"] = view.row.received_on[:7]
    source = {"id": ids["source"], "kind": "own_account", "reliability": "F", "date": view.row.received_on,
              "title": "Обращение через открытую форму от " + ".".join(reversed(view.row.received_on.split("-")))}
    case: dict[str, Any] = {"id": ids["case"], "person": ids["person"], "title": draft.title.strip(),
                            "status": "open", "opened": view.row.received_on}
    if draft.region.strip():
        case["region"] = draft.region.strip()
    institutions = []
    if draft.institution_name.strip():
        kind = draft.institution_type if draft.institution_type in set(InstitutionType) else "hospital"
        institutions.append({"id": ids["institution"], "name": draft.institution_name.strip(), "type": kind})
    events = [{"id": ids["testimony"], "type": "testimony", "date": draft.testimony_date or view.row.received_on,
               "cases": [ids["case"]], "sources": [{"source": ids["source"]}],
               "details": {"given_by": ids["person"], "text": view.account}}]
    for n, fact in enumerate(draft.facts):
        etype = EVENT_OF_KIND.get(fact.kind)
        if etype is None:
            continue
        event: dict[str, Any] = {"id": f"{ids['case']}-e{n + 1}", "type": etype.value, "date": fact.date,
                                 "cases": [ids["case"]], "summary": fact.summary,
                                 "sources": [{"source": ids["source"], "locator": "рассказ в форме"}],
                                 "details": _event_details(fact, etype)}
        if institutions:
            event["institution"] = ids["institution"]
        events.append(event)
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "people": [person],
            "institutions": institutions, "sources": [source], "cases": [case], "events": events}


def create_case(uow: StaffUnitOfWork, user: User, store: IntakeStore, keyring: IntakeKeyring, submission_id: str,
                draft: CaseDraft, now: datetime, vault: EvidenceStore | None = None) -> str:
    """Write a case from a submission and the facts a person accepted (nothing else): one all-or-nothing import
    through the ledger, then the submission is marked and the step audited. Contacts never go into the case."""
    _may_triage(user)
    if not allows(user.role, Permission.EVENT_WRITE):
        raise NotAllowed("Your role may not add cases.")
    view = open_submission(uow, user, store, keyring, submission_id, now)
    if view.row.status is SubmissionStatus.CASE:
        raise InvalidInput([Problem("intake", "status", "a case was already made from this submission")])
    token = secrets.token_hex(5)
    ids = {"person": f"p-in-{token}", "source": f"s-in-{token}", "case": f"case-in-{token}",
           "institution": f"i-in-{token}", "testimony": f"ev-in-{token}-t"}
    services.import_case_file(uow, draft_document(draft, view, ids))
    store.set_status(submission_id, SubmissionStatus.CASE)
    if vault is not None:
        _files_as_evidence(uow, store, keyring, view, ids, vault, now)
    with uow:
        audit.note(uow, user, AuditAction.INTAKE_CASE_CREATED, "case", ids["case"], now,
                   f"from intake submission {submission_id}, {len(draft.facts)} accepted fact(s)")
        uow.commit()
    return ids["case"]
