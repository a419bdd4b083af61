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
    LanguageOption,
    OutputFormat,
    PassphraseOption,
    acting,
    emit_json,
    fail,
    staff_uow,
)
from dutycare.entrypoints.cli.render import event_phrase, explanation_lines, finding_head
from dutycare.entrypoints.cli.speech import _, label, ngettext, translator, use_language
from dutycare.entrypoints.web.labels import CLOCK_LABELS
from dutycare.jurisdictions.deadlines import DueDate
from dutycare.rules.model import Finding
from dutycare.rules.registry import load_rules
from dutycare.service_layer import case_views
from dutycare.service_layer import findings as service

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
    lang: LanguageOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Re-evaluate every case first (as of today).")] = False,
    as_of: AsOfOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List findings: rule, severity, certainty, the triggering events and a plain explanation; as stored (kept
    current by every write), or judged again as of a chosen day."""
    use_language(lang)
    when = _as_of(as_of)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        if refresh:
            service.refresh_all(dc.uow())
        found = case_views.visible_findings(staff_uow(dc), user, case_id, as_of=when)
        if fmt is not OutputFormat.JSON:
            titles = case_views.case_titles(staff_uow(dc), user, {c for f in found for c in f.case_ids})
            events = case_views.events_named(staff_uow(dc), user, {e for f in found for e in f.event_ids})
            names = {i.id: i.name for i in case_views.filter_choices(staff_uow(dc), user).institutions}
    if fmt is OutputFormat.JSON:
        emit_json([_finding_json(f) for f in found])
        return
    for f in found:
        typer.echo(f"{finding_head(f)} · {_('Cases')}: {'; '.join(titles.get(c, c) for c in f.case_ids)}")
        for line in explanation_lines(f):
            typer.echo(f"     {line}")
        typer.echo(f"     {_('Events')}:")
        for event_id in f.event_ids:
            if event_id in events:
                typer.echo(f"       {event_phrase(events[event_id], names)}  ({event_id})")
        for basis in f.legal_basis:
            typer.echo(f"     {_('Legal basis')}: {basis.citation()}")
    typer.echo(ngettext("%(num)s finding", "%(num)s findings", len(found)) % {"num": len(found)})


@rules_app.command("list")
def rules_list(fmt: FormatOption = OutputFormat.TEXT) -> None:
    """List every loaded rule: id, severity, scope, legal basis and what it finds."""
    rules = load_rules()
    if fmt is OutputFormat.JSON:
        emit_json([{"id": r.id, "title_ru": r.title_ru, "title_en": r.title_en, "severity": r.severity.value,
                    "scope": r.scope.value, "jurisdiction": r.jurisdiction, "description": r.description,
                    "legal_basis": [b.citation() for b in r.legal_basis]} for r in rules])
        return
    ru = translator().lang == "ru"
    for r in rules:
        typer.echo(f"{r.id:<4} {label(r.severity.value)} · {r.title_ru if ru else r.title_en}")
        for basis in r.legal_basis:
            typer.echo(f"     {_('Legal basis')}: {basis.citation()}")


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
        fail(_("--as-of '%(value)s' is not a day; write it as YYYY-MM-DD") % {"value": text})


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
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List statutory deadlines of complaints and records requests across the cases you see, soonest first; or
    write them to a calendar file."""
    use_language(lang)
    when = _as_of(as_of)
    if ics is not None:
        from dutycare.adapters.calendar_file import render_calendar

        with acting(db, key_file, passphrase, actor=actor) as (dc, user):
            now = datetime.now(UTC)
            found = case_views.deadline_calendar(staff_uow(dc), user, now, as_of=when, case_id=case_id)
        ics.write_bytes(render_calendar(found, translator().lang, now))
        typer.echo(ngettext("%(num)s deadline written to %(file)s", "%(num)s deadlines written to %(file)s",
                            len(found.due_dates)) % {"num": len(found.due_dates), "file": ics})
        return
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        due = case_views.due_dates(staff_uow(dc), user, when, case_id=case_id, within_days=within)
        titles = case_views.case_titles(staff_uow(dc), user, {c for d in due for c in d.case_ids})
        names = {i.id: i.name for i in case_views.filter_choices(staff_uow(dc), user).institutions}
    if fmt is OutputFormat.JSON:
        emit_json([_due_json(d) for d in due])
        return
    tr = translator()
    for d in due:
        window = tr.date(d.due) if d.is_exact else f"{tr.date(d.earliest_due)} – {tr.date(d.due)}"
        cases = ", ".join(titles.get(c, "—") for c in d.case_ids)
        typer.echo(f"{window:<30} {label(d.status.value)} · {_(CLOCK_LABELS.get(d.kind.value, d.kind.value))} · "
                   f"{names.get(d.addressee_id, '—')} · {cases}  ({d.rule.legal.citation()})")
    typer.echo(ngettext("%(num)s deadline", "%(num)s deadlines", len(due)) % {"num": len(due)})
