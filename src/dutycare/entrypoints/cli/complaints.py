"""Commands for complaints: draft one from cases, edit, finalise, write its letters, record what happened next."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from dutycare.domain.complaint_drafts import Step, draft_to_input
from dutycare.domain.errors import InvalidInput, Problem
from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    FormatOption,
    KeyFileOption,
    LanguageOption,
    OutputFormat,
    PassphraseOption,
    VaultOption,
    acting,
    emit_json,
    staff_uow,
)
from dutycare.entrypoints.cli.speech import _, label, said, translator, use_language
from dutycare.entrypoints.web.labels import CLOCK_LABELS, complaint_field_namer
from dutycare.service_layer import complaints as service
from dutycare.service_layer.complaints import DraftPage

app = typer.Typer(help="Draft complaints from cases, make their letters final (PDF, DOCX), and record their sending, "
                       "registration, forwarding, extension and answer.", no_args_is_help=True)

InputOption = Annotated[Path | None, typer.Option(
    "--input", "-i", help="A JSON file with the draft's fields (applicants with full_name and address, "
                          "representative, addressees, requests, letter_date, will_sign, …); '-' reads standard "
                          "input. See docs/complaints.md.", show_default=False)]


def _read_input(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem("input", "", f"is not JSON: {exc}")]) from exc
    if not isinstance(data, dict):
        raise InvalidInput([Problem("input", "", "must be a JSON object")])
    return data


def _name(page: DraftPage, institution_id: str) -> str:
    inst = page.institutions.get(institution_id)
    return inst.name if inst else institution_id


def _show(page: DraftPage, fmt: OutputFormat, details: bool = False) -> None:
    draft = page.draft
    if fmt is OutputFormat.JSON:
        emit_json({"id": draft.id, "status": draft.status.value, **draft_to_input(draft),
                   "missing": [{"field": p.field, "message": p.message} for p in page.missing],
                   "letters": [{"institution": x.institution_id, "sha256": x.sha256} for x in draft.letters],
                   "complaint_event": draft.complaint_event_id,
                   "due_dates": [{"kind": d.kind.value, "addressee": d.addressee_id, "due": d.due.isoformat(),
                                  "status": d.status.value} for d in page.due_dates]})
        return
    tr = translator()
    field = complaint_field_namer(tr.gettext)
    to = "; ".join(_name(page, a.institution_id) for a in draft.addressees) or "—"
    typer.echo(_("Complaint %(id)s (%(status)s), to: %(to)s.") % {"id": draft.id, "status": label(draft.status.value),
                                                                  "to": to})
    for p in page.missing:
        typer.echo(_("  missing: %(field)s — %(message)s") % {"field": field(p.field), "message": said(p.message)})
    if not details:
        return
    for d in page.due_dates:
        kind = tr.gettext(CLOCK_LABELS[d.kind.value]) if d.kind.value in CLOCK_LABELS else d.kind.value
        typer.echo(_("  %(kind)s, %(body)s: due %(day)s (%(status)s)") % {
            "kind": kind, "body": _name(page, d.addressee_id), "day": tr.date(d.due), "status": label(d.status.value)})
    for s in page.next_steps:
        typer.echo(_("  next step: %(reason)s") % {"reason": s.reason_ru if tr.lang == "ru" else s.reason_en})


@app.command("draft")
def draft(
    cases: Annotated[list[str], typer.Argument(help="The cases the complaint comes from (one for a single "
                                                    "complaint, several for a joint one).", show_default=False)],
    to: Annotated[list[str] | None, typer.Option("--to", help="An addressee, as INSTITUTION or "
                                                 "INSTITUTION:TEMPLATE; repeat for one letter to each.")] = None,
    input_file: InputOption = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Draft a complaint from cases: every finding, the cases' persons as applicants, the default requests; the
    --input file fills in or overrides any field. Prints the requisites still missing."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        plain = [t.split(":", 1)[0] for t in to or []]
        raw = service.new_draft_input(staff_uow(dc), user, cases, plain)
        for entry, given in zip(raw["addressees"], to or [], strict=True):
            if ":" in given:
                entry["template"] = given.split(":", 1)[1]
        raw.update(_read_input(input_file))
        made = service.draft_complaint(staff_uow(dc), user, raw)
        page = service.read_draft(staff_uow(dc), user, made.id, datetime.now(UTC))
    _show(page, fmt)


@app.command("edit")
def edit(
    complaint_id: Annotated[str, typer.Argument(help="The complaint.", show_default=False)],
    input_file: InputOption = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Change a draft: the --input fields replace those stored (a final letter can no longer change)."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        now = datetime.now(UTC)
        current = service.read_draft(staff_uow(dc), user, complaint_id, now).draft
        service.update_draft(staff_uow(dc), user, complaint_id, {**draft_to_input(current), **_read_input(input_file)})
        page = service.read_draft(staff_uow(dc), user, complaint_id, now)
    _show(page, fmt)


@app.command("show")
def show(
    complaint_id: Annotated[str, typer.Argument(help="The complaint.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """A complaint: its status, missing requisites, due dates and the next steps it offers (the read is audited)."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        page = service.read_draft(staff_uow(dc), user, complaint_id, datetime.now(UTC))
    _show(page, fmt, details=True)


@app.command("finalise")
def finalise(
    complaint_id: Annotated[str, typer.Argument(help="The complaint.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    vault: VaultOption = None,
    lang: LanguageOption = None,
) -> None:
    """Make the letters final: refused while a requisite of 59-ФЗ ст. 7 is missing; then one PDF per addressee is
    stored encrypted in the vault."""
    use_language(lang)
    with acting(db, key_file, passphrase, vault, actor=actor) as (dc, user):
        final = service.finalise(staff_uow(dc), user, dc.vault(), dc.letters(), complaint_id)
        page = service.read_draft(staff_uow(dc), user, complaint_id, datetime.now(UTC))
    for x in final.letters:
        typer.echo(_("Letter to %(body)s: %(size)s bytes, SHA-256 %(sha)s.") % {
            "body": _name(page, x.institution_id), "size": translator().number(x.size), "sha": x.sha256})


@app.command("letter")
def letter(
    complaint_id: Annotated[str, typer.Argument(help="The complaint.", show_default=False)],
    institution: Annotated[str, typer.Argument(help="The addressee whose letter to write.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the letter.")],
    as_docx: Annotated[bool, typer.Option("--docx", help="Write DOCX to edit instead of the PDF.")] = False,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    vault: VaultOption = None,
    lang: LanguageOption = None,
) -> None:
    """Write one addressee's letter: the stored final PDF (hash-checked) or a draft one, or DOCX; audited."""
    use_language(lang)
    with acting(db, key_file, passphrase, vault, actor=actor) as (dc, user):
        made = service.letter_file(staff_uow(dc), user, dc.vault(), dc.letters(), complaint_id, institution,
                                   "docx" if as_docx else "pdf", datetime.now(UTC))
    out.write_bytes(made.content)
    typer.echo(_("Wrote %(file)s (%(size)s bytes).") % {"file": out, "size": translator().number(len(made.content))})


@app.command("record")
def record(
    complaint_id: Annotated[str, typer.Argument(help="The complaint.", show_default=False)],
    step: Annotated[Step, typer.Argument(help="What happened.", show_default=False)],
    on: Annotated[str, typer.Option("--date", help="When, YYYY-MM-DD.")],
    institution: Annotated[str | None, typer.Option(help="The body that registered, forwarded, extended or "
                                                         "answered.")] = None,
    channel: Annotated[str | None, typer.Option(help="For 'sent': how (letter, in_person, online_portal, …).")]
    = None,
    number: Annotated[str | None, typer.Option(help="For 'registered': the registration number.")] = None,
    forwarded_to: Annotated[str | None, typer.Option("--forwarded-to", help="For 'forwarded': the body it went "
                                                                            "to.")] = None,
    days: Annotated[int | None, typer.Option(help="For 'extended': by how many days.")] = None,
    notice: Annotated[bool, typer.Option("--notice", help="For 'extended': the applicant was notified.")] = False,
    outcome: Annotated[str | None, typer.Option(help="For 'answered': satisfied, refused, formal_reply, …")] = None,
    answer_file: Annotated[Path | None, typer.Option("--answer-file", help="For 'answered': the answer as a file "
                                                                           "(stored in the vault).")] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    vault: VaultOption = None,
    lang: LanguageOption = None,
) -> None:
    """Record that the complaint was sent, registered, forwarded, extended or answered; refused, naming the
    field, when the record contradicts it."""
    use_language(lang)
    raw = {"step": step.value, "date": on, "institution": institution, "channel": channel, "number": number,
           "forwarded_to": forwarded_to, "days": days, "notice": notice, "outcome": outcome}
    with acting(db, key_file, passphrase, vault, actor=actor) as (dc, user):
        event = service.record_step(staff_uow(dc), user, complaint_id, raw, datetime.now(UTC), answer_file,
                                    dc.vault() if answer_file else None)
    typer.echo(_("Recorded: %(step)s, %(day)s.") % {"step": label(step.value), "day": translator().date(
        event.date.earliest)})


@app.command("next")
def next_(
    complaint_id: Annotated[str, typer.Argument(help="The complaint that went unanswered or was refused.",
                                                show_default=False)],
    template: Annotated[str, typer.Argument(help="The next step it offers: prosecutor or court.",
                                            show_default=False)],
    institution: Annotated[str, typer.Argument(help="The body to address.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
) -> None:
    """Draft the next complaint from the same record (to the prosecutor, or the court claim while its window is
    open)."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        made = service.draft_next(staff_uow(dc), user, complaint_id, template, institution, datetime.now(UTC))
        page = service.read_draft(staff_uow(dc), user, made.id, datetime.now(UTC))
    _show(page, OutputFormat.TEXT)
