"""Publication commands: build a draft report, approve it, list, download and verify publications."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

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
from dutycare.service_layer import publications as service
from dutycare.service_layer.publications import PublicationRequest
from dutycare.service_layer.queries import CaseQuery

app = typer.Typer(help="Reports for the outside world: built by an analyst, approved by a coordinator, ledgered.",
                  no_args_is_help=True)


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} must be a date such as 2024-03-01, not {text!r}")


def _show(record: dict[str, object]) -> str:
    files = ", ".join(f"{f['name']} {f['sha256'][:16]}…" for f in record["files"])  # type: ignore[attr-defined]
    approved = f" · approved by {record['approved_by']}" if record["approved_by"] else ""
    return (f"{record['id']}  {record['status']}  «{record['title']}»  {record['population_size']} cases  "
            f"by {record['created_by']}{approved}\n    {files}")


@app.command("build")
def build(
    title: Annotated[str, typer.Option("--title", help="The report's title.", show_default=False)],
    lang: Annotated[str, typer.Option("--lang", help="ru or en.")] = "ru",
    status: Annotated[str | None, typer.Option("--status", help="Only cases of this status.",
                                               show_default=False)] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only cases of this region.",
                                               show_default=False)] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Only cases with an event on or after this day.",
                                                  show_default=False)] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Only cases with an event on or before this day.",
                                                show_default=False)] = None,
    summarise: Annotated[list[str] | None, typer.Option("--summarise", help="A case to include as an anonymised "
                                                        "summary (repeat).", show_default=False)] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Build a draft publication from the cases you see that match the filters (nothing leaves until approved)."""
    query = CaseQuery(status, region, None, None, _day(date_from, "--from"), _day(date_to, "--to"))
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        record = service.build_publication(staff_uow(dc), user, PublicationRequest(
            query, title, lang, tuple(summarise or ())), dc.reports(), dc.clock(), dc.settings.disclosure_threshold)
    typer.echo(_show(record))


@app.command("approve")
def approve(
    publication_id: Annotated[str, typer.Argument(help="The publication's id.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Approve a draft (coordinators only): partners see it from now on."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        record = service.approve(staff_uow(dc), user, publication_id, dc.clock())
    typer.echo(_show(record))


@app.command("list")
def list_(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """The publications you may see (a partner: approved ones only)."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        records = service.list_publications(staff_uow(dc), user)
    if fmt is OutputFormat.JSON:
        emit_json(records)
        return
    for r in records:
        typer.echo(_show(r))
    if not records:
        typer.echo("No publications.")


@app.command("download")
def download(
    publication_id: Annotated[str, typer.Argument(help="The publication's id.", show_default=False)],
    name: Annotated[str, typer.Argument(help="The file: report.pdf, report.html, tables.json or facilities.csv.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the file.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Write one file of a publication you may see."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        body, _ = service.publication_file(staff_uow(dc), user, publication_id, name)
    out.write_bytes(body)
    typer.echo(f"Wrote {out} ({len(body)} bytes).", err=True)


@app.command("verify")
def verify(
    publication_id: Annotated[str, typer.Argument(help="The publication's id.", show_default=False)],
    file: Annotated[Path | None, typer.Option("--file", help="Also check a copy of one of its files someone holds.",
                                              show_default=False)] = None,
    name: Annotated[str | None, typer.Option("--name", help="Which published file --file is a copy of (default: "
                                             "its own file name).", show_default=False)] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Check a publication's record against the ledger and each file against its recorded SHA-256."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, _):
        check = service.verify_publication(staff_uow(dc), publication_id)
        held = service.verify_file(staff_uow(dc), publication_id, name or file.name, file.read_bytes()) \
            if file else None
    for p in check.problems:
        typer.echo(f"  - {p}", err=True)
    if held is not None:
        verdict = "matches" if held else "DOES NOT match"
        typer.echo(f"{file}: {verdict} the published {name or (file.name if file else '')}")
    if not check.ok or held is False:
        fail(f"publication {publication_id} does not verify")
    typer.echo(f"Publication {publication_id}: {check.files_checked} file(s) match the ledgered SHA-256.")
