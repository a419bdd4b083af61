"""Publication commands: build a draft report, approve it, list, download and verify publications."""

from __future__ import annotations

from datetime import date
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
from dutycare.entrypoints.cli.speech import _, label, ngettext, quoted, said, translator, use_language
from dutycare.service_layer import case_views
from dutycare.service_layer import publications as service
from dutycare.service_layer.ports import StaffUnitOfWork
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
        fail(_("%(option)s must be a date such as 2024-03-01, not %(value)s") % {"option": option,
                                                                                 "value": quoted(text)})


def _people(uow: StaffUnitOfWork, records: list[dict[str, Any]]) -> dict[str, str]:
    """The display names of the accounts that made and approved these publications."""
    return case_views.display_names(uow, {r[k] for r in records for k in ("created_by", "approved_by") if r.get(k)})


def _show(record: dict[str, Any], people: dict[str, str] | None = None) -> str:
    files = ", ".join(f"{f['name']} {f['sha256'][:16]}…" for f in record["files"])
    if translator().lang == "en":
        approved = f" · approved by {record['approved_by']}" if record["approved_by"] else ""
        return (f"{record['id']}  {record['status']}  «{record['title']}»  {record['population_size']} cases  "
                f"by {record['created_by']}{approved}\n    {files}")
    names = people or {}
    who = {"who": names.get(record["created_by"], record["created_by"])}
    approved = (" · " + _("approved by %(who)s") % {"who": names.get(record["approved_by"], record["approved_by"])}
                if record["approved_by"] else "")
    size = ngettext("%(num)s case", "%(num)s cases", record["population_size"]) % {"num": record["population_size"]}
    return (f"{record['id']}  {label('publication_' + record['status'])}  «{record['title']}»  {size}  "
            f"{_('made by %(who)s') % who}{approved}\n    {files}")


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
        people = _people(staff_uow(dc), [record])
    typer.echo(_show(record, people))


@app.command("approve")
def approve(
    publication_id: Annotated[str, typer.Argument(help="The publication's id.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
) -> None:
    """Approve a draft (coordinators only): partners see it from now on."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        record = service.approve(staff_uow(dc), user, publication_id, dc.clock())
        people = _people(staff_uow(dc), [record])
    typer.echo(_show(record, people))


@app.command("list")
def list_(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """The publications you may see (a partner: approved ones only)."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        records = service.list_publications(staff_uow(dc), user)
        people = _people(staff_uow(dc), records)
    if fmt is OutputFormat.JSON:
        emit_json(records)
        return
    for r in records:
        typer.echo(_show(r, people))
    if not records:
        typer.echo(_("No publications."))


@app.command("download")
def download(
    publication_id: Annotated[str, typer.Argument(help="The publication's id.", show_default=False)],
    name: Annotated[str, typer.Argument(help="The file: report.pdf, report.html, tables.json or facilities.csv.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the file.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
) -> None:
    """Write one file of a publication you may see."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        body, _type = service.publication_file(staff_uow(dc), user, publication_id, name)
    out.write_bytes(body)
    size = ngettext("%(num)s byte", "%(num)s bytes", len(body)) % {"num": len(body)}
    typer.echo(_("Wrote %(file)s (%(size)s).") % {"file": out, "size": size}, err=True)


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
    lang: LanguageOption = None,
) -> None:
    """Check a publication's record against the ledger and each file against its recorded SHA-256."""
    use_language(lang)
    with acting(db, key_file, passphrase, actor=actor) as (dc, _user):
        check = service.verify_publication(staff_uow(dc), publication_id)
        held = service.verify_file(staff_uow(dc), publication_id, name or file.name, file.read_bytes()) \
            if file else None
    for p in check.problems:
        typer.echo(f"  - {said(p)}", err=True)
    if held is not None:
        published = name or (file.name if file else "")
        verdict = (_("%(file)s: matches the published %(name)s") if held
                   else _("%(file)s: DOES NOT match the published %(name)s"))
        typer.echo(verdict % {"file": file, "name": published})
    if not check.ok or held is False:
        fail(_("publication %(id)s does not verify") % {"id": publication_id})
    typer.echo(ngettext("Publication %(id)s: %(num)s file(s) match the ledgered SHA-256.",
                        "Publication %(id)s: %(num)s file(s) match the ledgered SHA-256.", check.files_checked)
               % {"id": publication_id, "num": check.files_checked})
