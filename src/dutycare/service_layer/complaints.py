"""Complaints a lawyer drafts from a case, makes final, files, and follows to the answer.

Every function takes the acting user: writing needs `complaint.write`, reading a draft (it holds the applicants'
names and addresses) needs `identifying.read` and is audited. A draft exists for a viewer only when they see
every case it names. A draft's writes are ledger entries ("complaint_draft"); its lifecycle is recorded as the
ordinary complaint events, so rules and clocks read it as they read any complaint.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from dutycare.domain import complaint_drafts as cd
from dutycare.domain import vocabulary as v
from dutycare.domain.complaint_drafts import ComplaintDraft, DraftStatus, Letter, LifecycleStep, Step
from dutycare.domain.errors import InvalidInput, NotAllowed, NotFound, Problem
from dutycare.domain.events import EVENT_SPECS, Event, EventType, timeline_key
from dutycare.domain.evidence import EvidenceFile
from dutycare.domain.interchange import FORMAT_NAME, FORMAT_VERSION, parse_case_file
from dutycare.domain.model import Institution, Timeline
from dutycare.jurisdictions.clocks import ClockKind
from dutycare.jurisdictions.deadlines import DueDate, DueStatus, deadlines
from dutycare.rules import wording as w
from dutycare.service_layer import audit, event_writes
from dutycare.service_layer.access import Permission, User, allows
from dutycare.service_layer.changes import Action, Change, created
from dutycare.service_layer.evidence import enter_evidence
from dutycare.service_layer.ports import EvidenceStore, LetterRenderer, StaffUnitOfWork
from dutycare.service_layer.queries import FindingRow
from dutycare.service_layer.visibility import Visibility
from dutycare.service_layer.write_path import apply_changes

ENTITY = "complaint_draft"
T = EventType
REFUSALS = frozenset({v.AnswerOutcome.REFUSED.value, v.AnswerOutcome.FORMAL_REPLY.value,
                      v.AnswerOutcome.NO_VIOLATION_FOUND.value})


def complaint_kinds() -> tuple[str, ...]:
    """The kinds of complaint the record knows (appeal, crime report, ombudsman, court claim)."""
    return tuple(k.value for k in v.ComplaintKind)


# -- who may do what -------------------------------------------------------------------------------------
def _writer(uow: StaffUnitOfWork, user: User) -> Visibility:
    if not allows(user.role, Permission.COMPLAINT_WRITE):
        raise NotAllowed("Your role may not draft or file complaints.")
    return Visibility(uow, user)


def _reader(uow: StaffUnitOfWork, user: User) -> Visibility:
    if not allows(user.role, Permission.IDENTIFYING_READ):
        raise NotAllowed("Your role may not read complaint letters: they hold the applicants' names and addresses.")
    return Visibility(uow, user)


def _visible(uow: StaffUnitOfWork, vis: Visibility, draft_id: str) -> ComplaintDraft:
    """The draft, when the viewer sees every case it names; NotFound otherwise."""
    draft = uow.drafts.get(draft_id)
    if not all(vis.sees(c) for c in draft.case_ids):
        raise NotFound(f"There is no complaint '{draft_id}'.")
    return draft


# -- checking a draft against the record -------------------------------------------------------------------
def _visible_findings(uow: StaffUnitOfWork, vis: Visibility, case_ids: Iterable[str]) -> list[FindingRow]:
    return vis.findings(uow.findings.for_cases(list(case_ids)))


def _reference_problems(uow: StaffUnitOfWork, vis: Visibility, d: ComplaintDraft) -> list[Problem]:
    loc = cd.LOCATION
    out = [Problem(loc, f"cases[{i}]", f"there is no case '{c}'")
           for i, c in enumerate(d.case_ids) if not uow.records.has("case", c) or not vis.sees(c)]
    if out:
        return out
    keys = {f.key for f in _visible_findings(uow, vis, d.case_ids)}
    out += [Problem(loc, f"findings[{i}]", "is not a finding of these cases (it may have changed; pick again)")
            for i, k in enumerate(d.finding_keys) if k not in keys]
    for i, a in enumerate(d.applicants):
        if not uow.records.has("person", a.person_id):
            out.append(Problem(loc, f"applicants[{i}].person", f"there is no person '{a.person_id}'"))
    if d.representative is not None and not uow.records.has("person", d.representative.person_id):
        out.append(Problem(loc, "representative.person", f"there is no person '{d.representative.person_id}'"))
    for i, to in enumerate(d.addressees):
        if not uow.records.has("institution", to.institution_id):
            out.append(Problem(loc, f"addressees[{i}].institution", f"there is no body '{to.institution_id}'"))
    if d.respondent_id is not None and not uow.records.has("institution", d.respondent_id):
        out.append(Problem(loc, "respondent", f"there is no body '{d.respondent_id}'"))
    case_evidence = {ev.id for c in d.case_ids for ev in uow.records.evidence_of_case(c)}
    out += [Problem(loc, f"evidence[{i}]", f"there is no evidence file '{e}' on these cases")
            for i, e in enumerate(d.evidence_ids) if e not in case_evidence]
    return out


def _facts_of(uow: StaffUnitOfWork, vis: Visibility, d: ComplaintDraft) -> tuple[str, ...]:
    """The events the chosen findings rest on (what the letter states), as the writer sees them."""
    rows = [f for f in _visible_findings(uow, vis, d.case_ids) if f.key in set(d.finding_keys)]
    return tuple(dict.fromkeys(e for f in rows for e in f.event_ids))


def _checked(uow: StaffUnitOfWork, vis: Visibility, raw: Any, draft_id: str,
             base: ComplaintDraft | None = None) -> ComplaintDraft:
    draft = cd.parse_draft(raw, draft_id=draft_id, kinds=complaint_kinds(), base=base)
    vis.check_writable_cases(draft.case_ids)
    problems = _reference_problems(uow, vis, draft)
    if draft.follows is not None:
        try:
            _visible(uow, vis, draft.follows)
        except NotFound:
            problems.append(Problem(cd.LOCATION, "follows", f"there is no complaint '{draft.follows}'"))
    if problems:
        raise InvalidInput(problems)
    return replace(draft, facts=_facts_of(uow, vis, draft))


def _store(uow: StaffUnitOfWork, draft: ComplaintDraft, new: bool) -> None:
    if new:
        uow.drafts.add(draft)
    else:
        uow.drafts.replace(draft)
    apply_changes(uow, [Change(Action.CREATE if new else Action.UPDATE, ENTITY, draft.id, cd.draft_to_record(draft))])


# -- drafting ------------------------------------------------------------------------------------------------
def draft_complaint(uow: StaffUnitOfWork, writer: User, raw: Any) -> ComplaintDraft:
    """Store a new draft from its input; refused, naming the field, when it names what does not exist."""
    with uow:
        vis = _writer(uow, writer)
        draft = _checked(uow, vis, raw, "cpl-" + secrets.token_hex(6))
        draft = replace(draft, created_by=writer.name)
        _store(uow, draft, new=True)
        uow.commit()
    return draft


def update_draft(uow: StaffUnitOfWork, writer: User, draft_id: str, raw: Any) -> ComplaintDraft:
    """Store an edited draft (the ledger keeps every version); a final letter can no longer change."""
    with uow:
        vis = _writer(uow, writer)
        base = _visible(uow, vis, draft_id)
        if not base.editable:
            raise InvalidInput([Problem(cd.LOCATION, "status", "the letter is final and can no longer be changed; "
                                                              "draft a new one")])
        draft = _checked(uow, vis, raw, draft_id, base)
        draft = replace(draft, version=base.version + 1)
        _store(uow, draft, new=False)
        uow.commit()
    return draft


def new_draft_input(uow: StaffUnitOfWork, writer: User, case_ids: list[str],
                    addressee_ids: Iterable[str] = ()) -> dict[str, Any]:
    """A draft's input filled in from cases: their persons as applicants, every finding, the default requests,
    and each named addressee with the template its kind of body takes."""
    with uow:
        vis = _writer(uow, writer)
        for c in case_ids:
            vis.require_case(c)
        persons = [uow.records.case(c).person_id for c in case_ids]
        findings = _visible_findings(uow, vis, case_ids)
        institutions = uow.records.institutions_by_id()
    addressees = []
    for i, inst_id in enumerate(addressee_ids):
        if inst_id not in institutions:
            raise InvalidInput([Problem(cd.LOCATION, f"addressees[{i}].institution", f"there is no body '{inst_id}'")])
        template = cd.DEFAULT_TEMPLATE.get(institutions[inst_id].type.value, cd.LetterTemplate.AUTHORITY)
        addressees.append({"institution": inst_id, "template": template.value})
    return {"cases": case_ids, "findings": list(dict.fromkeys(f.key for f in findings)),
            "applicants": [{"person": p, "full_name": "", "address": ""} for p in dict.fromkeys(persons)],
            "addressees": addressees, "requests": [r.value for r in cd.ComplaintRequest], "will_sign": False}


# -- reading -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NextStep:
    """A complaint that can follow this one: to whom, why, and (for a court claim) the last day to file."""

    template: cd.LetterTemplate
    reason_ru: str
    reason_en: str
    institution_ids: tuple[str, ...]
    last_day: date | None = None


@dataclass(frozen=True)
class DraftPage:
    """Everything a complaint's page shows."""

    draft: ComplaintDraft
    institutions: dict[str, Institution]
    pseudonyms: dict[str, str]
    findings: list[FindingRow]
    rule_titles: dict[str, tuple[str, str]]
    evidence: list[EvidenceFile]
    missing: list[Problem]
    lifecycle: list[Event]
    due_dates: list[DueDate]
    complaint_findings: list[FindingRow]
    next_steps: list[NextStep]
    sent: Event | None = None
    case_titles: dict[str, str] = field(default_factory=dict)


def _timelines(uow: StaffUnitOfWork, vis: Visibility, case_ids: Iterable[str],
               institutions: dict[str, Institution]) -> list[Timeline]:
    out = []
    for c in case_ids:
        tl = uow.records.timeline(c, institutions=institutions)
        out.append(replace(tl, events=tuple(vis.events(tl.events))))
    return out


def _complaint_events(timelines: list[Timeline], complaint_id: str | None) -> list[Event]:
    if complaint_id is None:
        return []
    seen: dict[str, Event] = {}
    for tl in timelines:
        for e in tl.events:
            if e.id == complaint_id or (e.type in _LIFECYCLE and e.details.get("complaint") == complaint_id):
                seen.setdefault(e.id, e)
    return sorted(seen.values(), key=timeline_key)


_LIFECYCLE = frozenset({T.COMPLAINT_REGISTERED, T.COMPLAINT_FORWARDED, T.COMPLAINT_EXTENDED, T.COMPLAINT_ANSWERED})


def read_draft(uow: StaffUnitOfWork, viewer: User, draft_id: str, at: datetime) -> DraftPage:
    """A complaint with its letters' state, lifecycle, due dates, findings and next steps; the read is audited."""
    with uow:
        vis = _reader(uow, viewer)
        draft = _visible(uow, vis, draft_id)
        institutions = uow.records.institutions_by_id()
        timelines = _timelines(uow, vis, draft.case_ids, institutions)
        findings = _visible_findings(uow, vis, draft.case_ids)
        events = _complaint_events(timelines, draft.complaint_event_id)
        due = [d for d in deadlines(events, institutions, today=at.date(), clock_book=uow.rulebook.clock_book)
               if d.subject_id == draft.complaint_event_id]
        complaint_ids = {e.id for e in events}
        about = list({(f.rule_id, f.event_ids, f.institution_id): f for f in findings
                      if complaint_ids.intersection(f.event_ids) and f.rule_id in ("R6", "R7")}.values())
        book = uow.rulebook
        titles = {f.rule_id: ((r.title_ru, r.title_en) if (r := book.rule(f.rule_id)) else (f.rule_id, f.rule_id))
                  for f in findings}
        evidence = [ev for c in draft.case_ids for ev in uow.records.evidence_of_case(c)]
        pseudonyms = {p.id: p.pseudonym for tl in timelines for p in [tl.person]}
        for a in draft.signatories:
            if a.person_id not in pseudonyms and uow.records.has("person", a.person_id):
                pseudonyms[a.person_id] = uow.records.person(a.person_id).pseudonym
        steps = _next_steps(draft, events, due, institutions, uow, at.date())
        audit.note(uow, viewer, audit.AuditAction.READ_IDENTIFYING, ENTITY, draft.id, at, "applicants' names and "
                   "addresses")
        uow.commit()
    missing = cd.missing_requisites(draft) if draft.editable else []
    return DraftPage(draft, institutions, pseudonyms, findings, titles, evidence, missing, events[1:], due, about,
                     steps, events[0] if events else None, {tl.case.id: tl.case.title for tl in timelines})


@dataclass(frozen=True)
class DraftSummary:
    """A complaint as a case page lists it: no names, no addresses."""

    id: str
    status: DraftStatus
    addressee_ids: tuple[str, ...]
    letter_date: date | None
    complaint_event_id: str | None


def drafts_of_case(uow: StaffUnitOfWork, viewer: User, case_id: str) -> list[DraftSummary]:
    """The complaints drafted from a case the viewer sees (those naming a case hidden from them left out)."""
    with uow:
        vis = Visibility(uow, viewer)
        vis.require_case(case_id)
        drafts = [d for d in uow.drafts.of_cases([case_id]) if all(vis.sees(c) for c in d.case_ids)]
    return [DraftSummary(d.id, d.status, tuple(a.institution_id for a in d.addressees), d.letter_date,
                         d.complaint_event_id) for d in drafts]


# -- the letters ---------------------------------------------------------------------------------------------
def _what(e: Event, ru: bool) -> str:
    spec = EVENT_SPECS[e.type]
    label = spec.label_ru if ru else spec.label_en
    detail = next((e.text(n) for n in ("treatment", "finding", "injury", "statement", "subject", "destination")
                   if e.text(n)), "")
    if e.type is T.FITNESS_DECISION:
        detail = (f"категория годности «{e.details.get('category')}»" if ru
                  else f"fitness category “{e.details.get('category')}”")
    if e.type is T.TREATMENT_REFUSED and e.text("reason"):
        detail = f"{detail}; {'причина' if ru else 'reason'}: {e.text('reason')}"
    return f"{label}: {detail.rstrip('.')}" if detail else label


def _letter(uow: StaffUnitOfWork, vis: Visibility, draft: ComplaintDraft, addressee: cd.Addressee,
            final: bool) -> Letter:
    ru = addressee.language == "ru"
    institutions = uow.records.institutions_by_id()
    timelines = _timelines(uow, vis, draft.case_ids, institutions)
    names = {a.person_id: a.full_name for a in draft.signatories if a.full_name}
    facts_by_id: dict[str, tuple[Event, list[str], Timeline]] = {}
    for tl in timelines:
        whose = names.get(tl.person.id, tl.person.pseudonym)
        for e in tl.events:
            if e.id in set(draft.facts):
                facts_by_id.setdefault(e.id, (e, [], tl))[1].append(whose)
    facts = []
    for e, people, tl in sorted(facts_by_id.values(), key=lambda x: timeline_key(x[0])):
        whose = ", ".join(people)
        cites = tuple(f"{tl.sources[c.source_id].title}" + (f", {c.locator}" if c.locator else "")
                      for c in e.citations if c.source_id in tl.sources)
        where = w.name(e.institution_id, institutions, ru) if e.institution_id else ""
        facts.append(cd.LetterFact(w.date_ru(e.date) if ru else w.date_en(e.date),
                                   f"{whose} — {_what(e, ru)}", where, cites))
    book = uow.rulebook
    found = []
    for f in _visible_findings(uow, vis, draft.case_ids):
        if f.key in set(draft.finding_keys):
            rule = book.rule(f.rule_id)
            title = (rule.title_ru if ru else rule.title_en) if rule else f.rule_id
            basis = tuple(b.citation() for b in rule.legal_basis) if rule else ()
            found.append(cd.LetterFinding(f.rule_id, title, f.explanation_ru if ru else f.explanation_en, basis))
    attachments = []
    for eid in draft.evidence_ids:
        ev = uow.records.evidence(eid)
        attachments.append(ev.description or ev.original_name)
    inst = institutions.get(addressee.institution_id)
    respondent = institutions[draft.respondent_id].name if draft.respondent_id in institutions else ""
    day = draft.letter_date
    return Letter(draft.id, addressee.template, addressee.language, inst.name if inst else addressee.institution_id,
                  addressee.official, draft.applicants, draft.representative, draft.subject, draft.substance,
                  tuple(facts), tuple(found), draft.requests, tuple(attachments),
                  (w.day_ru(day) if ru else w.day_en(day)) if day else "", respondent, final,
                  tuple(str(p) for p in cd.missing_requisites(draft)))


def finalise(uow: StaffUnitOfWork, writer: User, store: EvidenceStore, renderer: LetterRenderer,
             draft_id: str) -> ComplaintDraft:
    """Make a draft final: refused, naming each missing requisite, until it has them all; then one PDF per
    addressee is rendered and stored encrypted in the vault, and the draft records their SHA-256."""
    with uow:
        vis = _writer(uow, writer)
        draft = _visible(uow, vis, draft_id)
        if not draft.editable:
            raise InvalidInput([Problem(cd.LOCATION, "status", "the letter is already final")])
        problems = cd.missing_requisites(draft) + _reference_problems(uow, vis, draft)
        if problems:
            raise InvalidInput(problems)
        letters = []
        with tempfile.TemporaryDirectory(prefix="dutycare-letter-") as tmp:
            for a in draft.addressees:
                path = Path(tmp) / f"{draft.id}-{a.institution_id}.pdf"
                path.write_bytes(renderer.pdf(_letter(uow, vis, draft, a, final=True)))
                file_id = "evd-" + secrets.token_hex(10)
                stored = store.put(file_id, 1, path)
                letters.append(cd.FinalLetter(a.institution_id, file_id, stored.sha256, stored.size,
                                              stored.stored_path))
        final = replace(draft, status=DraftStatus.FINAL, letters=tuple(letters), version=draft.version + 1)
        _store(uow, final, new=False)
        uow.commit()
    return final


@dataclass(frozen=True)
class LetterFile:
    """A letter as a file to download."""

    name: str
    media_type: str
    content: bytes


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def letter_file(uow: StaffUnitOfWork, viewer: User, store: EvidenceStore, renderer: LetterRenderer, draft_id: str,
                institution_id: str, fmt: str, at: datetime) -> LetterFile:
    """One addressee's letter as PDF (the stored final one, hash-checked, once final) or DOCX; audited."""
    if fmt not in ("pdf", "docx"):
        raise InvalidInput([Problem(cd.LOCATION, "format", "must be 'pdf' or 'docx'")])
    with uow:
        vis = _reader(uow, viewer)
        draft = _visible(uow, vis, draft_id)
        addressee = draft.addressee(institution_id)
        if addressee is None:
            raise NotFound(f"The complaint '{draft_id}' has no addressee '{institution_id}'.")
        stored = draft.letter(institution_id)
        name = f"{draft.id}-{institution_id}.{fmt}"
        if fmt == "pdf" and stored is not None:
            with tempfile.TemporaryDirectory(prefix="dutycare-letter-") as tmp:
                out = Path(tmp) / name
                store.read_to(stored.file_id, 1, out, stored.sha256)
                content = out.read_bytes()
        else:
            letter = _letter(uow, vis, draft, addressee, final=stored is not None)
            content = renderer.pdf(letter) if fmt == "pdf" else renderer.docx(letter)
        audit.note(uow, viewer, audit.AuditAction.READ_IDENTIFYING, ENTITY, draft.id, at,
                   f"letter to {institution_id} ({fmt})")
        uow.commit()
    return LetterFile(name, PDF if fmt == "pdf" else DOCX, content)


# -- the lifecycle -------------------------------------------------------------------------------------------
def _step_problem(name: str, message: str) -> InvalidInput:
    return InvalidInput([Problem(cd.LOCATION, name, message)])


def _first_day(events: list[Event]) -> date | None:
    return min((e.date.bounds()[0] for e in events), default=None)


def _check_step(uow: StaffUnitOfWork, draft: ComplaintDraft, step: LifecycleStep, events: list[Event]) -> None:
    """Refuse, naming the field, a step the complaint's record contradicts."""
    if step.step is Step.SENT:
        if draft.status is not DraftStatus.FINAL:
            raise _step_problem("status", "make the letter final before recording that it was sent"
                                if draft.editable else "the complaint's sending is already recorded")
        if draft.letter_date is not None and step.on < draft.letter_date:
            raise _step_problem("date", f"the letter is dated {draft.letter_date.isoformat()}; it cannot have been "
                                        "sent before")
        return
    if draft.status is not DraftStatus.SENT or not events:
        raise _step_problem("step", "record that the complaint was sent first")
    complaint = events[0]
    sent_on = complaint.date.bounds()[0]
    forwarded_to = {t for e in events if e.type is T.COMPLAINT_FORWARDED for t in e.refs("forwarded_to")}
    recipients = set(complaint.refs("addressees")) | forwarded_to
    if step.institution_id not in recipients:
        raise _step_problem("institution", "name a body the complaint was sent or forwarded to")
    if step.on < sent_on:
        raise _step_problem("date", f"the complaint was sent on {sent_on.isoformat()}; "
                                    f"{step.step.value} cannot come before it")
    if step.step is Step.FORWARDED:
        if step.forwarded_to is None or not uow.records.has("institution", step.forwarded_to):
            raise _step_problem("forwarded_to", f"there is no body '{step.forwarded_to}'; pick a known institution")
        if step.forwarded_to == step.institution_id:
            raise _step_problem("forwarded_to", "a body cannot forward a complaint to itself")
    if step.step is Step.ANSWERED:
        registered = _first_day([e for e in events if e.type is T.COMPLAINT_REGISTERED
                                 and e.institution_id == step.institution_id])
        if registered is None:
            raise _step_problem("date", "record the body's registration of the complaint before its answer")
        if step.on < registered:
            raise _step_problem("date", f"the complaint was registered there on {registered.isoformat()}; "
                                        "the answer cannot come before it")


def _raw_lifecycle_event(draft: ComplaintDraft, step: LifecycleStep, complaint_id: str) -> dict[str, Any]:
    details: dict[str, Any] = {"complaint": complaint_id}
    kind = {Step.REGISTERED: T.COMPLAINT_REGISTERED, Step.FORWARDED: T.COMPLAINT_FORWARDED,
            Step.EXTENDED: T.COMPLAINT_EXTENDED, Step.ANSWERED: T.COMPLAINT_ANSWERED}[step.step]
    if step.step is Step.REGISTERED and step.number:
        details["registration_number"] = step.number
    if step.step is Step.FORWARDED:
        details["forwarded_to"] = step.forwarded_to
    if step.step is Step.EXTENDED:
        details["extended_by_days"] = step.days
        details["notice_given"] = step.notice
    if step.step is Step.ANSWERED:
        details["outcome"] = step.outcome
        if step.answer:
            details["answer"] = step.answer
    return {"id": f"ev-{secrets.token_hex(6)}", "type": kind.value, "date": step.on.isoformat(),
            "cases": list(draft.case_ids), "institution": step.institution_id,
            "sources": [{"source": step.source_id or draft.source_id}], "details": details}


def _sent(uow: StaffUnitOfWork, draft: ComplaintDraft, step: LifecycleStep, at: datetime) -> tuple[ComplaintDraft,
                                                                                                   Event]:
    """The complaint event (with a source for the letter itself) and the final letters entered as its evidence."""
    source_id = f"src-{draft.id}"
    details: dict[str, Any] = {
        "addressees": [a.institution_id for a in draft.addressees],
        "applicants": [a.person_id for a in draft.signatories], "channel": step.channel,
        "subject": draft.subject or "Жалоба на отказ в оказании медицинской помощи"}
    spec = EVENT_SPECS[T.COMPLAINT]
    if spec.field("kind") is not None:
        details["kind"] = draft.kind or cd.TEMPLATE_KIND[draft.addressees[0].template]
    if spec.field("respondent") is not None and draft.respondent_id:
        details["respondent"] = draft.respondent_id
    doc: dict[str, Any] = {
           "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
           "sources": [{"id": source_id, "kind": v.SourceKind.OFFICIAL_DOCUMENT.value, "reliability": "A",
                        "title": f"Копия жалобы {draft.id} (письма адресатам)",
                        "date": draft.letter_date.isoformat() if draft.letter_date else None}],
           "events": [{"id": f"ev-{secrets.token_hex(6)}", "type": T.COMPLAINT.value, "date": step.on.isoformat(),
                       "cases": list(draft.case_ids), "sources": [{"source": source_id}], "details": details}]}
    if doc["sources"][0]["date"] is None:
        del doc["sources"][0]["date"]
    cf = parse_case_file(doc, known=uow.records)
    uow.records.add_case_file(cf)
    apply_changes(uow, list(created(cf)))
    complaint = cf.events[0]
    for letter in draft.letters:
        ev = EvidenceFile(id=letter.file_id, event_id=complaint.id, sha256=letter.sha256, size=letter.size,
                          media_type=PDF, original_name=f"{draft.id}-{letter.institution_id}.pdf",
                          added_by=uow.actor, added_at=at.isoformat(), source_id=source_id,
                          description=f"Жалоба {draft.id}: письмо адресату {letter.institution_id}")
        enter_evidence(uow, ev, letter.stored_path)
    sent = replace(draft, status=DraftStatus.SENT, complaint_event_id=complaint.id, source_id=source_id,
                   version=draft.version + 1)
    _store(uow, sent, new=False)
    return sent, complaint


def record_step(uow: StaffUnitOfWork, writer: User, draft_id: str, raw: Any, at: datetime,
                answer_file: Path | None = None, store: EvidenceStore | None = None) -> Event:
    """Record that a complaint was sent, registered, forwarded, extended or answered, as the complaint events
    rules and clocks read; refused, naming the field, when the record contradicts it (nothing is written)."""
    step = cd.parse_step(raw, channels=tuple(v.Channel), outcomes=tuple(v.AnswerOutcome))
    with uow:
        vis = _writer(uow, writer)
        draft = _visible(uow, vis, draft_id)
        vis.check_writable_cases(draft.case_ids)
        institutions = uow.records.institutions_by_id()
        events = _complaint_events(_timelines(uow, vis, draft.case_ids, institutions), draft.complaint_event_id)
        _check_step(uow, draft, step, events)
        if step.source_id is not None and not uow.records.has("source", step.source_id):
            raise _step_problem("source", f"there is no source '{step.source_id}'")
        if step.step is Step.SENT:
            _, event = _sent(uow, draft, step, at)
        else:
            event = event_writes.parse_event(uow, _raw_lifecycle_event(draft, step, str(draft.complaint_event_id)))
            event_writes.add(uow, event)
            if answer_file is not None and store is not None:
                _attach_answer(uow, store, draft, event, answer_file, at)
        uow.commit()
    return vis.event(event) or event


def _attach_answer(uow: StaffUnitOfWork, store: EvidenceStore, draft: ComplaintDraft, event: Event, path: Path,
                   at: datetime) -> None:
    file_id = "evd-" + secrets.token_hex(10)
    stored = store.put(file_id, 1, path)
    kind = PDF if path.suffix.lower() == ".pdf" else "application/octet-stream"
    ev = EvidenceFile(id=file_id, event_id=event.id, sha256=stored.sha256, size=stored.size, media_type=kind,
                      original_name=path.name, added_by=uow.actor, added_at=at.isoformat(), source_id=draft.source_id,
                      description=f"Ответ на жалобу {draft.id}")
    enter_evidence(uow, ev, stored.stored_path)


# -- what comes next -----------------------------------------------------------------------------------------
def _next_steps(draft: ComplaintDraft, events: list[Event], due: list[DueDate],
                institutions: dict[str, Institution], uow: StaffUnitOfWork, today: date) -> list[NextStep]:
    """An overdue, formally answered or refused complaint offers the prosecutor's check and, while the КАС ст. 219
    window is open, a court claim."""
    if draft.status is not DraftStatus.SENT:
        return []
    answers = [e for e in events if e.type is T.COMPLAINT_ANSWERED]
    bad = [e for e in answers if e.details.get("outcome") in REFUSALS]
    late = [d for d in due if d.kind is ClockKind.RESPONSE and d.status is DueStatus.OVERDUE and d.met_by is None]
    if not bad and not late:
        return []
    learned = min([e.date.bounds()[1] for e in bad] + [d.due + timedelta(days=1) for d in late])
    of_type = {t: tuple(i.id for i in institutions.values() if i.type is t) for t in v.InstitutionType}
    why_ru = ("на жалобу дан отказ или формальный ответ" if bad else "ответ на жалобу не дан в установленный срок")
    why_en = ("the complaint was refused or formally answered" if bad
              else "the complaint went unanswered past its due date")
    out = [NextStep(cd.LetterTemplate.PROSECUTOR, f"Жалоба прокурору: {why_ru}.", f"To the prosecutor: {why_en}.",
                    of_type[v.InstitutionType.PROSECUTOR])]
    # The КАС ст. 219 window is the court claim's own clock: asked for with that kind of complaint.
    rule = uow.rulebook.clock_book.rule_for("RU", ClockKind.FILING, v.InstitutionType.COURT,
                                            v.ComplaintKind.COURT_CLAIM)
    if rule is not None:
        last = uow.rulebook.clock_book.end(rule, learned)
        if today <= last:
            out.append(NextStep(cd.LetterTemplate.COURT,
                                f"Административный иск в суд (КАС РФ гл. 22): {why_ru}; последний день подачи — "
                                f"{w.day_ru(last)}.",
                                f"A court claim (CAS RF ch. 22): {why_en}; the last day to file is {w.day_en(last)}.",
                                of_type[v.InstitutionType.COURT], last))
    return out


def draft_next(uow: StaffUnitOfWork, writer: User, draft_id: str, template: str, institution_id: str,
               at: datetime) -> ComplaintDraft:
    """Draft the next complaint from the same record: same cases, findings, applicants and evidence, to a new
    addressee, with the unanswered or refused complaint stated first."""
    with uow:
        vis = _writer(uow, writer)
        base = _visible(uow, vis, draft_id)
        institutions = uow.records.institutions_by_id()
        events = _complaint_events(_timelines(uow, vis, base.case_ids, institutions), base.complaint_event_id)
        due = [d for d in deadlines(events, institutions, today=at.date(), clock_book=uow.rulebook.clock_book)
               if d.subject_id == base.complaint_event_id]
        offered = {s.template.value: s for s in _next_steps(base, events, due, institutions, uow, at.date())}
        # Findings move as the record grows (an answer recorded since, say): the next letter rests on those the
        # first one cited that still stand, and on none that have gone.
        standing = {f.key for f in _visible_findings(uow, vis, base.case_ids)}
    if template not in offered:
        raise InvalidInput([Problem(cd.LOCATION, "template", "this complaint offers no such next step")])
    if institution_id not in institutions:
        raise InvalidInput([Problem(cd.LOCATION, "institution", f"there is no body '{institution_id}'")])
    sent_to = ", ".join(institutions[a.institution_id].name for a in base.addressees
                        if a.institution_id in institutions)
    when = w.of_ru(events[0].date) if events else ""
    intro = (f"Жалоба {when}, направленная: {sent_to}, — {offered[template].reason_ru.split(': ', 1)[-1]}")
    raw = cd.draft_to_input(base)
    if isinstance(raw.get("findings"), list):
        raw["findings"] = [k for k in raw["findings"] if k in standing]
    kind = cd.TEMPLATE_KIND[cd.LetterTemplate(template)]
    raw.update(addressees=[{"institution": institution_id, "template": template}], follows=base.id, kind=kind,
               substance=f"{intro}\n\n{base.substance}".strip(), letter_date=None, will_sign=False)
    return draft_complaint(uow, writer, raw)


@dataclass(frozen=True)
class DraftChoices:
    """What a draft's form offers: the cases it can join, their findings, the people who can sign, the bodies."""

    case_ids: tuple[str, ...]
    related_cases: dict[str, str]
    findings: list[FindingRow]
    rule_titles: dict[str, tuple[str, str]]
    applicants: dict[str, str]
    representatives: dict[str, str]
    institutions: dict[str, Institution]
    evidence: list[EvidenceFile]


def draft_choices(uow: StaffUnitOfWork, writer: User, case_ids: list[str]) -> DraftChoices:
    """The choices of a draft's form for these cases (each one the writer must see)."""
    with uow:
        vis = _writer(uow, writer)
        for c in case_ids:
            vis.require_case(c)
        institutions = uow.records.institutions_by_id()
        timelines = _timelines(uow, vis, case_ids, institutions)
        related = {c: c for tl in timelines for e in tl.events for c in e.case_ids}
        titles = {c: uow.records.case(c).title for c in related}
        applicants = {tl.person.id: tl.person.pseudonym for tl in timelines}
        referenced = {ref for tl in timelines for e in tl.events for f in e.spec.fields
                      if f.kind.value in ("person", "people") for ref in e.refs(f.name)}
        representatives = {}
        for pid in sorted(referenced - set(applicants)):
            person = uow.records.person(pid)
            if person.role in (v.PersonRole.ADVOCATE, v.PersonRole.RELATIVE):
                representatives[pid] = person.pseudonym
        findings = _visible_findings(uow, vis, case_ids)
        book = uow.rulebook
        rule_titles = {f.rule_id: ((r.title_ru, r.title_en) if (r := book.rule(f.rule_id)) else (f.rule_id,) * 2)
                       for f in findings}
        evidence = [ev for c in case_ids for ev in uow.records.evidence_of_case(c)]
    return DraftChoices(tuple(case_ids), titles, findings, rule_titles, applicants, representatives, institutions,
                        evidence)
