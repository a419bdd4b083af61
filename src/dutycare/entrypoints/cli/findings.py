"""Commands for findings, the rules behind them, and statutory deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    acting,
    emit_json,
    fail,
    staff_uow,
)
from dutycare.jurisdictions.deadlines import DueDate
from dutycare.rules.model import Finding
from dutycare.rules.registry import load_rules
from dutycare.service_layer import case_views
from dutycare.service_layer import findings as service

LangOption = Annotated[str, typer.Option(help="Language of explanations: ru or en.")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Judge as of this day (YYYY-MM-DD), over the record "
                                                "as it stood then; default today.", show_default=False)]

rules_app = typer.Typer(help="The rules findings come from.", no_args_is_help=True)


def _finding_json(f: Finding) -> dict[str, Any]:
    return {"key": f.key, "rule": f.rule_id, "severity": f.severity.value, "certainty": f.certainty.value,
            "cases": list(f.case_ids), "events": list(f.event_ids), "institution": f.institution_id,
            "explanation_ru": f.explanation_ru, "explanation_en": f.explanation_en,
            "legal_basis": [b.citation() for b in f.legal_basis]}


def findings(
    case_id: Annotated[str | None, typer.Argument(help="Only this case's findings.", show_default=False)] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LangOption = "ru",
    refresh: Annotated[bool, typer.Option("--refresh", help="Re-evaluate every case first (as of today).")] = False,
    as_of: AsOfOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List findings: rule, severity, certainty, the triggering events and a plain explanation; as stored (kept
    current by every write), or judged again as of a chosen day."""
    when = _as_of(as_of)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        if refresh:
            service.refresh_all(dc.uow())
        found = case_views.visible_findings(staff_uow(dc), user, case_id, as_of=when)
    if fmt is OutputFormat.JSON:
        emit_json([_finding_json(f) for f in found])
        return
    for f in found:
        typer.echo(f"{f.rule_id:<4} {f.severity.value:<6} {f.certainty.value:<11} {', '.join(f.case_ids)}")
        typer.echo(f"     {f.explanation_ru if lang == 'ru' else f.explanation_en}")
        typer.echo(f"     events: {', '.join(f.event_ids)}")
        for basis in f.legal_basis:
            typer.echo(f"     basis: {basis.citation()}")
    typer.echo(f"{len(found)} finding(s)")


@rules_app.command("list")
def rules_list(fmt: FormatOption = OutputFormat.TEXT) -> None:
    """List every loaded rule: id, severity, scope, legal basis and what it finds."""
    rules = load_rules()
    if fmt is OutputFormat.JSON:
        emit_json([{"id": r.id, "title_ru": r.title_ru, "title_en": r.title_en, "severity": r.severity.value,
                    "scope": r.scope.value, "jurisdiction": r.jurisdiction, "description": r.description,
                    "legal_basis": [b.citation() for b in r.legal_basis]} for r in rules])
        return
    for r in rules:
        typer.echo(f"{r.id:<4} {r.severity.value:<6} {r.scope.value:<11} {r.title_en}")
        typer.echo(f"     {r.title_ru}")
        for basis in r.legal_basis:
            typer.echo(f"     basis: {basis.citation()}")


def _due_json(d: DueDate) -> dict[str, Any]:
    return {"subject": d.subject_id, "addressee": d.addressee_id, "cases": list(d.case_ids), "kind": d.kind.value,
            "due": d.due.isoformat(), "earliest_due": d.earliest_due.isoformat(), "status": d.status.value,
            "met_on": str(d.met_on) if d.met_on else None, "rule": d.rule.id, "legal_basis": d.rule.legal.citation(),
            "complaint_kind": d.complaint_kind.value if d.complaint_kind else None, "kind_inferred": d.kind_inferred,
            "channel": d.channel.value}


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--as-of '{text}' is not a day; write it as YYYY-MM-DD")


def deadlines(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    as_of: AsOfOption = None,
    within: Annotated[int | None, typer.Option("--within", min=0, max=366, show_default=False,
                                               help="Only clocks not yet met that fall due in this many days "
                                                    "(7: the coming week).")] = None,
    case_id: Annotated[str | None, typer.Option("--case", show_default=False,
                                                help="Only this case's deadlines.")] = None,
    ics: Annotated[Path | None, typer.Option("--ics", show_default=False, dir_okay=False,
                                             help="Write every due date to this iCalendar file (audited as an "
                                                  "export) instead of listing them.")] = None,
    lang: LangOption = "ru",
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List statutory deadlines of complaints and records requests across the cases you see, soonest first; or
    write them to a calendar file."""
    when = _as_of(as_of)
    if ics is not None:
        from dutycare.adapters.calendar_file import render_calendar

        with acting(db, key_file, passphrase, actor=actor) as (dc, user):
            now = datetime.now(UTC)
            found = case_views.deadline_calendar(staff_uow(dc), user, now, as_of=when, case_id=case_id)
        ics.write_bytes(render_calendar(found, lang, now))
        typer.echo(f"{len(found.due_dates)} deadline(s) written to {ics}")
        return
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        due = case_views.due_dates(staff_uow(dc), user, when, case_id=case_id, within_days=within)
    if fmt is OutputFormat.JSON:
        emit_json([_due_json(d) for d in due])
        return
    for d in due:
        window = d.due.isoformat() if d.is_exact else f"{d.earliest_due.isoformat()}…{d.due.isoformat()}"
        typer.echo(f"{window:<22} {d.status.value:<17} {d.kind.value:<13} {d.subject_id} → {d.addressee_id}"
                   f"  ({d.rule.legal.citation()})")
    typer.echo(f"{len(due)} deadline(s)")
