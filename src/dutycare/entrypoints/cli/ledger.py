"""Commands for the tamper-evident ledger: checkpoint, verify, prove, export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dutycare.entrypoints.cli.common import (
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    VaultOption,
    emit_json,
    opened,
)
from dutycare.service_layer import access_log
from dutycare.service_layer import ledger_service as service

app = typer.Typer(help="Sign, verify and prove the tamper-evident ledger.", no_args_is_help=True)


@app.command("checkpoint")
def checkpoint(db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
               fmt: FormatOption = OutputFormat.TEXT) -> None:
    """Sign the current tree size, root hash and time (Ed25519) of the case ledger and of the access log, and keep
    both checkpoints."""
    with opened(db, key_file, passphrase) as dc:
        signer = dc.signer()
        cp, note = service.make_checkpoint(dc.uow(), signer)
        access_cp, access_note = access_log.make_checkpoint(dc.uow(), signer, datetime.now(UTC))
    if fmt is OutputFormat.JSON:
        emit_json({"size": cp.size, "root": cp.root.hex(), "time": cp.time.isoformat(), "note": note,
                   "access_log": {"size": access_cp.size, "root": access_cp.root.hex(),
                                  "time": access_cp.time.isoformat(), "note": access_note}})
        return
    typer.echo(note, nl=False)
    typer.echo(access_note, nl=False)


@app.command("verify")
def verify(db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
           vault: VaultOption = None, fmt: FormatOption = OutputFormat.TEXT) -> None:
    """Re-derive every entry, root and checkpoint, and check every record and file; exit 1 on any mismatch."""
    with opened(db, key_file, passphrase, vault) as dc:
        result = service.verify(dc.uow(), dc.trusted_key(), dc.file_hasher())
    problems = [f"entry {p.seq}: {p.message}" if p.seq is not None else p.message for p in result.log.problems]
    problems += [str(p) for p in result.record_problems]
    problems += result.access_messages()
    if fmt is OutputFormat.JSON:
        emit_json({"ok": result.ok, "size": result.log.size, "root": result.log.root.hex(),
                   "checkpoints_verified": result.log.checkpoints_verified, "records_checked": result.records_checked,
                   "files_checked": result.files_checked, "problems": problems, "notes": result.log.notes,
                   "access_log": None if result.access is None else {
                       "ok": result.access.ok, "size": result.access.log.size,
                       "checkpoints_verified": result.access.log.checkpoints_verified,
                       "records_checked": result.access.records_checked, "notes": result.access.log.notes}})
    else:
        typer.echo(result.log.summary())
        typer.echo(f"{result.records_checked} records and {result.files_checked} evidence files checked.")
        for note in result.log.notes:
            typer.echo(f"note: {note}")
        if result.access is not None:
            typer.echo(f"access log: {result.access.log.summary()}")
            typer.echo(f"{result.access.records_checked} users, tokens, case restrictions and audit entries "
                       "checked.")
            for note in result.access.log.notes:
                typer.echo(f"note: access log: {note}")
        if problems:
            typer.echo(f"FIRST PROBLEM: {problems[0]}", err=True)
            for line in problems[1:50]:
                typer.echo(f"  also: {line}", err=True)
    if not result.ok:
        raise typer.Exit(code=1)


@app.command("prove")
def prove(entry: Annotated[int, typer.Argument(help="The entry's position (seq) in the log.", show_default=False)],
          db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
          fmt: FormatOption = OutputFormat.JSON) -> None:
    """Print an inclusion proof for one entry against the latest checkpoint that covers it."""
    with opened(db, key_file, passphrase) as dc:
        proof = service.prove(dc.uow(), entry)
    if fmt is OutputFormat.JSON:
        emit_json(proof.to_json())
        return
    typer.echo(f"entry {proof.seq} is leaf {proof.leaf_hash.hex()} of the tree of size {proof.tree_size}")
    typer.echo(f"root {proof.root.hex()}, audit path of {len(proof.path)} hashes:")
    for h in proof.path:
        typer.echo(f"  {h.hex()}")
    typer.echo(proof.checkpoint, nl=False)


@app.command("export")
def export(out_dir: Annotated[Path, typer.Argument(help="Directory to write the bundle into.", show_default=False)],
           db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None) -> None:
    """Write a proof bundle (entries, checkpoints, public key, proofs) that tools/verify_bundle.py checks."""
    with opened(db, key_file, passphrase) as dc:
        service.make_checkpoint(dc.uow(), dc.signer())
        written = service.export_bundle(dc.uow(), out_dir, dc.trusted_key())
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"Check it anywhere with: python tools/verify_bundle.py {out_dir}")
