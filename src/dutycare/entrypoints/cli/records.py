"""Commands that create a database and move whole case files in and out of it."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dutycare.adapters.csv_export import table_csv
from dutycare.adapters.importers import FileType, open_source
from dutycare.adapters.importers.progress import ImportProgress
from dutycare.adapters.importers.template import write_csv_template, write_xlsx_template
from dutycare.adapters.storage import schema
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.adapters.storage.engine import make_engine
from dutycare.bootstrap import initialise, key_location
from dutycare.domain.errors import InvalidInput
from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    VaultOption,
    acting,
    emit_json,
    fail,
    problem_line,
    settings_from,
    staff_uow,
)
from dutycare.entrypoints.cli.speech import _, ngettext, record_kind, said
from dutycare.entrypoints.web.i18n import N_
from dutycare.service_layer import case_views
from dutycare.service_layer.bulk_import import NoProgress, import_records


def init(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    use_passphrase: Annotated[bool, typer.Option("--use-passphrase", help="Protect the key with a passphrase "
                                                 "(Argon2id) instead of a key file, asking for it if --passphrase "
                                                 "is not given. A --passphrase alone does the same.")] = False,
    vault: VaultOption = None,
) -> None:
    """Create a new, empty dutycare database and its keys: a key file, or a passphrase if one is given."""
    settings = settings_from(db, key_file, passphrase, vault)
    if use_passphrase and not settings.passphrase:
        settings = settings.with_(passphrase=typer.prompt("New passphrase", hide_input=True,
                                                          confirmation_prompt=True))
    app = initialise(settings, use_passphrase=use_passphrase)
    try:
        typer.echo(_("Created the dutycare database %(db)s.") % {"db": settings.db})
        typer.echo(_("Its organisation key is %(key)s: keep it safe and apart from the data.")
                   % {"key": said(key_location(app))})
    finally:
        app.close()


def migrate(db: DbOption = None) -> None:
    """Bring an existing database's schema up to this version of dutycare (data is kept)."""
    engine = make_engine(settings_from(db).db)
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine)
        typer.echo(_("Schema at %(now)s (was %(before)s).")
                   % {"now": schema.current_revision(engine), "before": before})
    finally:
        engine.dispose()


class ExportTable(StrEnum):
    """Tables 'export --csv' writes."""

    CASES = "cases"
    EVENTS = "events"
    FINDINGS = "findings"
    DEADLINES = "deadlines"


class TemplateKind(StrEnum):
    """Spreadsheet templates 'import --template' writes."""

    CSV = "csv"
    XLSX = "xlsx"


MAX_PROBLEMS_LISTED = 100
PROGRESS_WORDS = (N_("checking and writing"), N_("checking"), N_("writing"), N_("updating findings"),
                  N_("building the search index"), N_("committing"), N_("%(phase)s: %(num)s records"),
                  N_("took %(time)s"), N_("%(done)s, about %(time)s left"))
"""What the import's progress display says (adapters/importers/progress.py), for the catalogues."""


def import_(
    file: Annotated[Path | None, typer.Argument(
        help="The file to import: a case file (.json), JSON Lines (.jsonl), CSV (.csv) or Excel (.xlsx).",
        show_default=False)] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    file_type: Annotated[FileType | None, typer.Option(
        "--type", help="The file's format when its name does not say: json, jsonl, csv or xlsx.",
        show_default=False)] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="A CSV file's encoding, e.g. cp1251 for Excel on Russian Windows (detected if not given).",
        show_default=False)] = None,
    template: Annotated[TemplateKind | None, typer.Option(
        "--template", help="Instead of importing, write an empty csv or xlsx template (header and one example row) "
        "to --out.", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where --template writes.", show_default=False)]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Show no progress.")] = False,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Import records from a file: all of them, or nothing if any record is invalid (every problem is listed)."""
    if template is not None:
        _write_template(template, out)
        return
    if file is None:
        fail(_("name the file to import, or write a template with --template csv|xlsx --out FILE"))
    source = open_source(file, file_type, encoding)
    progress = NoProgress() if quiet else ImportProgress(say=_)
    try:
        with acting(db, key_file, passphrase, actor=actor) as (app, _actor):
            result = import_records(app.uow(), source, SqlBulkStore.for_uow, progress)
    except InvalidInput as exc:
        fail(_problem_report(exc, said(source.describe())))
    if fmt is OutputFormat.JSON:
        emit_json({"imported": result.counts, "ledger_size": result.ledger_size, "sha256": result.sha256,
                   "warnings": list(result.warnings)})
        return
    counts = ", ".join(f"{record_kind(kind)}: {n}" for kind, n in result.counts.items())
    typer.echo(_("Imported from %(source)s: %(counts)s. The ledger now holds %(size)s entries.")
               % {"counts": counts, "source": said(source.describe()), "size": result.ledger_size})
    for warning in result.warnings:
        typer.echo(_("Warning: %(message)s") % {"message": said(warning)}, err=True)


def _write_template(kind: TemplateKind, out: Path | None) -> None:
    if out is None:
        fail(_("say where to write the template: --template %(kind)s --out FILE.%(kind)s") % {"kind": kind.value})
    if out.exists():
        fail(_("%(path)s exists already; choose another name (templates never overwrite files)") % {"path": out})
    (write_csv_template if kind is TemplateKind.CSV else write_xlsx_template)(out)
    typer.echo(_("Wrote a %(kind)s template to %(path)s: its example row is marked as one and refused on import; "
                 "replace it with one row per event, then 'dutycare import %(name)s'. docs/import-formats.md "
                 "explains every column.") % {"kind": kind.value, "path": out, "name": out.name})


def _problem_report(exc: InvalidInput, what: str) -> str:
    lines = [ngettext("%(what)s was rejected and nothing was written (%(num)s problem):",
                      "%(what)s was rejected and nothing was written (%(num)s problems):", exc.total)
             % {"what": what, "num": exc.total}]
    shown = exc.problems[:MAX_PROBLEMS_LISTED + 1]
    lines += [f"  - {problem_line(p)}" for p in shown]
    if exc.total > len(shown):
        lines.append("  " + _("… and %(num)s more") % {"num": exc.total - len(shown)})
    return "\n".join(lines)


def export(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of standard output.")]
    = None,
    csv_table: Annotated[ExportTable | None, typer.Option(
        "--csv", help="Instead of the case file, one table as CSV for Excel or LibreOffice (UTF-8 with a byte-order "
        "mark; a cell starting with = + - @ gets a leading apostrophe): cases, events, findings or deadlines.",
        show_default=False)] = None,
) -> None:
    """Export every record the --actor may see as one case file (JSON), which 'dutycare import' reads back, or one
    table of it as CSV (--csv).

    The export is written to the audit log.
    """
    with acting(db, key_file, passphrase, actor=actor) as (app, user):
        if csv_table is None:
            document = case_views.export_visible(staff_uow(app), user, datetime.now(UTC))
        else:
            rows = case_views.export_table(staff_uow(app), user, csv_table.value, datetime.now(UTC))
    if csv_table is None:
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        data = table_csv(case_views.EXPORT_COLUMNS[csv_table.value], rows)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        typer.echo(_("Wrote %(path)s.") % {"path": out}, err=True)
