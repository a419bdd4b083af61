"""Commands that create a database and move whole case files in and out of it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from dutycare.adapters.json_file import read_json_document
from dutycare.adapters.storage import schema
from dutycare.adapters.storage.engine import make_engine
from dutycare.bootstrap import initialise, key_location
from dutycare.entrypoints.cli.common import (
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    VaultOption,
    emit_json,
    opened,
    settings_from,
)
from dutycare.service_layer import services


def init(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    use_passphrase: Annotated[bool, typer.Option("--use-passphrase", help="Protect the key with a passphrase "
                                                 "(Argon2id) instead of a key file.")] = False,
    vault: VaultOption = None,
) -> None:
    """Create a new, empty dutycare database and its keys."""
    settings = settings_from(db, key_file, passphrase, vault)
    if use_passphrase and not settings.passphrase:
        settings = settings.with_(passphrase=typer.prompt("New passphrase", hide_input=True,
                                                          confirmation_prompt=True))
    app = initialise(settings, use_passphrase=use_passphrase)
    try:
        typer.echo(f"Created the dutycare database {settings.db}.")
        typer.echo(f"Its organisation key is {key_location(app)}: keep it safe and apart from the data.")
    finally:
        app.close()


def migrate(db: DbOption = None) -> None:
    """Bring an existing database's schema up to this version of dutycare (data is kept)."""
    engine = make_engine(settings_from(db).db)
    try:
        before = schema.current_revision(engine)
        schema.upgrade(engine)
        typer.echo(f"Schema at {schema.current_revision(engine)} (was {before}).")
    finally:
        engine.dispose()


def import_(
    file: Annotated[Path, typer.Argument(help="A dutycare case file (JSON).", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Import a case file: all of it, or nothing if any record is invalid."""
    document = read_json_document(file)
    with opened(db, key_file, passphrase) as app:
        result = services.import_case_file(app.uow(), document)
    if fmt is OutputFormat.JSON:
        emit_json({"imported": result.counts, "ledger_size": result.ledger_size})
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts.items())
    typer.echo(f"Imported {counts}. The ledger now holds {result.ledger_size} entries.")


def export(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of standard output.")]
    = None,
) -> None:
    """Export every record as one case file (JSON), which 'dutycare import' reads back."""
    with opened(db, key_file, passphrase) as app:
        document = services.export_case_file(app.uow())
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {out}.", err=True)
