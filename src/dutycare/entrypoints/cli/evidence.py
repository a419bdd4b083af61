"""Commands for evidence files: attach, take out (hash-checked), list."""

from __future__ import annotations

from datetime import UTC, datetime
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
    VaultOption,
    acting,
    emit_json,
    staff_uow,
)
from dutycare.entrypoints.cli.speech import _, ngettext, translator
from dutycare.service_layer import evidence as service

app = typer.Typer(help="Attach evidence files to events and take them out again.", no_args_is_help=True)


@app.command("add")
def add(
    case_id: Annotated[str, typer.Argument(help="The case.", show_default=False)],
    event_id: Annotated[str, typer.Argument(help="The event of that case the file documents.", show_default=False)],
    file: Annotated[Path, typer.Argument(help="The file to attach (stored encrypted; never changed).",
                                         show_default=False)],
    source: Annotated[str | None, typer.Option("--source", help="The source id the file came from.")] = None,
    description: Annotated[str | None, typer.Option(help="What the file shows.")] = None,
    derived_from: Annotated[str | None, typer.Option(help="For a redacted or transcoded copy: the original's id.")]
    = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    vault: VaultOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Attach a file to an event: it is encrypted in the vault, hashed, and entered in the ledger."""
    with acting(db, key_file, passphrase, vault, actor=actor) as (dc, user):
        ev = service.attach_evidence(staff_uow(dc), dc.vault(), case_id=case_id, event_id=event_id, path=file,
                                     source_id=source, description=description, derived_from=derived_from,
                                     writer=user)
    if fmt is OutputFormat.JSON:
        emit_json(ev.to_record())
        return
    typer.echo(_("Attached %(name)s as %(id)s (%(size)s bytes, SHA-256 %(sha)s).")
               % {"name": ev.original_name, "id": ev.id, "size": ev.size, "sha": ev.sha256})


@app.command("get")
def get(
    evidence_id: Annotated[str, typer.Argument(help="The evidence id.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the decrypted original.")],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    vault: VaultOption = None,
) -> None:
    """Write the decrypted original to a file, refusing it if its SHA-256 differs from the recorded one; the
    taking out is written to the audit log."""
    with acting(db, key_file, passphrase, vault, actor=actor) as (dc, user):
        ev = service.export_evidence(staff_uow(dc), dc.vault(), evidence_id, out, viewer=user,
                                     at=datetime.now(UTC))
    typer.echo(_("Wrote %(path)s (%(size)s bytes); its SHA-256 %(sha)s matches the record.")
               % {"path": out, "size": ev.size, "sha": ev.sha256})


@app.command("list")
def list_(
    case_id: Annotated[str, typer.Argument(help="The case.", show_default=False)],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """List the evidence files of a case with their chain of custody."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        files = service.case_evidence(staff_uow(dc), user, case_id)
    if fmt is OutputFormat.JSON:
        emit_json([f.to_record() for f in files])
        return
    for f in files:
        typer.echo(f"{f.id}  {f.event_id:<20} {f.size:>10} B  {f.media_type:<24} {f.original_name}  "
                   + _("added by %(who)s, %(when)s") % {"who": f.added_by, "when": translator().datetime(f.added_at)}
                   + f"  sha256 {f.sha256[:16]}…")
    typer.echo(ngettext("%(num)s file", "%(num)s files", len(files)) % {"num": len(files)})
