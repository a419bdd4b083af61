"""Commands that list and show cases."""

from __future__ import annotations

from typing import Annotated

import typer

from dutycare.domain.interchange import case_to_dict, event_to_dict, institution_to_dict
from dutycare.domain.limits import MAX_OFFSET
from dutycare.entrypoints.cli.common import (
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    emit_json,
    opened,
)
from dutycare.entrypoints.cli.render import timeline_text
from dutycare.service_layer import services
from dutycare.service_layer.queries import CaseFilter

app = typer.Typer(help="List and read cases.", no_args_is_help=True)


@app.command("list")
def list_(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    status: Annotated[str | None, typer.Option(help="Only cases with this status.")] = None,
    region: Annotated[str | None, typer.Option(help="Only cases in this region.")] = None,
    institution: Annotated[str | None, typer.Option(help="Only cases with an event at this institution id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="How many cases to show.")] = 50,
    offset: Annotated[int, typer.Option(min=0, max=MAX_OFFSET, help="How many to skip.")] = 0,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List cases with their person and number of events."""
    flt = CaseFilter(status=status, region=region, institution_id=institution)
    with opened(db, key_file, passphrase) as dc:
        rows, total = services.list_cases(dc.uow(), flt, limit, offset)
    if fmt is OutputFormat.JSON:
        emit_json({"total": total, "cases": [
            {**case_to_dict(r.case), "pseudonym": r.person.pseudonym, "event_count": r.event_count} for r in rows]})
        return
    for r in rows:
        typer.echo(f"{r.case.id:<14} {r.case.status.value:<10} {r.event_count:>4} events  "
                   f"{r.person.pseudonym:<14} {r.case.title}")
    typer.echo(f"{len(rows)} of {total} case(s)")


@app.command("show")
def show(
    case_id: Annotated[str, typer.Argument(help="The case id, e.g. case-a.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    lang: Annotated[str, typer.Option(help="Language of labels: ru or en.")] = "ru",
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Show a case's person and dated timeline."""
    with opened(db, key_file, passphrase) as dc:
        timeline = services.case_timeline(dc.uow(), case_id)
    if fmt is OutputFormat.JSON:
        emit_json({"case": case_to_dict(timeline.case), "person": {"id": timeline.person.id,
                   "pseudonym": timeline.person.pseudonym, "age": timeline.person.age,
                   "service_status": timeline.person.service_status.value},
                   "events": [event_to_dict(e) for e in timeline.events],
                   "institutions": [institution_to_dict(i) for i in timeline.institutions.values()]})
        return
    typer.echo(timeline_text(timeline, lang))
