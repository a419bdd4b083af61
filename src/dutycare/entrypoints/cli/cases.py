"""Commands that list and show cases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from dutycare.domain.interchange import case_to_dict, event_to_dict, institution_to_dict
from dutycare.domain.limits import MAX_OFFSET
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
    staff_uow,
)
from dutycare.entrypoints.cli.render import timeline_text
from dutycare.entrypoints.cli.speech import _, label, ngettext, use_language
from dutycare.service_layer import accounts, case_views
from dutycare.service_layer.case_views import CaseQuery

app = typer.Typer(help="List and read cases.", no_args_is_help=True)


@app.command("list")
def list_(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    status: Annotated[str | None, typer.Option(help="Only cases with this status.")] = None,
    region: Annotated[str | None, typer.Option(help="Only cases in this region.")] = None,
    institution: Annotated[str | None, typer.Option(help="Only cases with an event at this institution id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many cases to show (200 at most; page on with "
                                       "--offset).")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=MAX_OFFSET, help="How many to skip.")] = 0,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List cases with their person and number of events."""
    query = CaseQuery(status=status, region=region, institution_id=institution)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        rows, total = case_views.list_cases(staff_uow(dc), user, query, limit, offset)
    if fmt is OutputFormat.JSON:
        emit_json({"total": total, "cases": [
            {**case_to_dict(r.case), "pseudonym": r.person.pseudonym, "event_count": r.event_count} for r in rows]})
        return
    for r in rows:
        events = ngettext("%(num)s event", "%(num)s events", r.event_count) % {"num": r.event_count}
        typer.echo(f"{r.case.id:<14} {label(r.case.status.value):<10} {events:>12}  "
                   f"{r.person.pseudonym:<14} {r.case.title}")
    typer.echo(ngettext("%(shown)s of %(num)s case", "%(shown)s of %(num)s cases", total)
               % {"shown": len(rows), "num": total})


@app.command("show")
def show(
    case_id: Annotated[str, typer.Argument(help="The case id, e.g. case-a.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Show a case's person and dated timeline."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        timeline = case_views.case_page(staff_uow(dc), user, case_id, datetime.now(UTC)).timeline
    if fmt is OutputFormat.JSON:
        emit_json({"case": case_to_dict(timeline.case), "person": {"id": timeline.person.id,
                   "pseudonym": timeline.person.pseudonym, "age": timeline.person.age,
                   "service_status": timeline.person.service_status.value},
                   "events": [event_to_dict(e) for e in timeline.events],
                   "institutions": [institution_to_dict(i) for i in timeline.institutions.values()]})
        return
    typer.echo(timeline_text(timeline))


@app.command("access")
def access(
    case_id: Annotated[str, typer.Argument(help="The case id.", show_default=False)],
    restrict: Annotated[bool, typer.Option("--restrict/--open", help="Restrict the case to the named users, or "
                                           "open it to every staff member.")] = True,
    user: Annotated[list[str] | None, typer.Option("--user", help="A user who may see the case (repeat the option); "
                                                   "partners see only cases that name them.")] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Restrict a case to named users, or open it again (coordinators only; audited and entered in the access
    log)."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, who):
        named = frozenset(accounts.user_by_name(staff_uow(dc), name).id for name in user or [])
        found = case_views.set_case_access(staff_uow(dc), who, case_id, restrict, named, datetime.now(UTC))
    state = _("restricted") if found.restricted else _("open to every staff member")
    typer.echo(_("%(case)s: %(state)s; named users: %(names)s")
               % {"case": case_id, "state": state, "names": ", ".join(sorted(user or [])) or "—"})
