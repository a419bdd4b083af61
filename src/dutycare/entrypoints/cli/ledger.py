"""Commands for the tamper-evident ledger: checkpoint, verify, prove, export, and witness co-signing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dutycare.adapters.checkpoint_folder import read_note
from dutycare.adapters.crypto.signing import new_witness_key, witness_signer
from dutycare.domain.errors import DomainError
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
from dutycare.entrypoints.cli.speech import _
from dutycare.ledger.checkpoint import CheckpointError, add_signature
from dutycare.ledger.verify import VerifyReport
from dutycare.service_layer import access_log
from dutycare.service_layer import ledger_service as service

app = typer.Typer(help="Sign, verify and prove the tamper-evident ledger.", no_args_is_help=True)


def log_summary(log: VerifyReport) -> str:
    """A verified log in a sentence of the run's language (a failed one as the verifier words it)."""
    if not log.ok:
        return log.summary()
    signed = log.latest_checkpoint.size if log.latest_checkpoint else 0
    return _("OK: log of %(size)s entries, root %(root)s; %(checkpoints)s checkpoints verified, latest covers "
             "%(signed)s; %(outside)s kept outside the database; %(witnessed)s witness signatures verified.") % {
        "size": log.size, "root": log.root.hex(), "checkpoints": log.checkpoints_verified, "signed": signed,
        "outside": log.anchors_verified, "witnessed": log.witness_signatures_verified}


@app.command("checkpoint")
def checkpoint(db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
               fmt: FormatOption = OutputFormat.TEXT) -> None:
    """Sign the current tree size, root hash and time (Ed25519) of the case ledger and of the access log, and keep
    both checkpoints."""
    with opened(db, key_file, passphrase) as dc:
        signer, folder = dc.signer(), dc.checkpoint_folder()
        cp, note = service.make_checkpoint(dc.uow(), signer, folder)
        access_cp, access_note = access_log.make_checkpoint(dc.uow(), signer, datetime.now(UTC),
                                                            dc.access_checkpoint_folder())
    kept = folder.path_for(cp.size)
    if fmt is OutputFormat.JSON:
        emit_json({"size": cp.size, "root": cp.root.hex(), "time": cp.time.isoformat(), "note": note,
                   "kept_at": str(kept),
                   "access_log": {"size": access_cp.size, "root": access_cp.root.hex(),
                                  "time": access_cp.time.isoformat(), "note": access_note}})
        return
    typer.echo(note, nl=False)
    typer.echo(access_note, nl=False)
    typer.echo(_("Also kept outside the database at %(path)s; publish or hand over a copy so a rewrite is noticed.")
               % {"path": kept}, err=True)


CheckpointFileOption = Annotated[list[Path] | None, typer.Option(
    "--checkpoint", help="A signed checkpoint kept elsewhere (a file); the log must extend it. Repeatable.",
    show_default=False)]


def _checkpoint_files(paths: list[Path] | None) -> list[tuple[str, str]]:
    """(path, note text) of each --checkpoint file; a file that cannot be read is an error."""
    found = []
    for path in paths or []:
        text = read_note(path)
        if not text:
            raise DomainError(f"The checkpoint file {path} cannot be read (missing, empty or not UTF-8 text).")
        found.append((str(path), text))
    return found


@app.command("verify")
def verify(db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
           vault: VaultOption = None, checkpoint: CheckpointFileOption = None,
           fmt: FormatOption = OutputFormat.TEXT) -> None:
    """Re-derive every entry, root and checkpoint, check every record, derived column and file, and check the log
    against the checkpoints kept outside the database; exit 1 on any mismatch."""
    extra = _checkpoint_files(checkpoint)
    with opened(db, key_file, passphrase, vault) as dc:
        result = dc.verify(extra)
    _report(result, fmt)
    if not result.ok:
        raise typer.Exit(code=1)


def _report(result: service.Verification, fmt: OutputFormat) -> None:
    """Print a verification as text or JSON."""
    log = result.log
    problems = [f"entry {p.seq}: {p.message}" if p.seq is not None else p.message for p in log.problems]
    problems += [str(p) for p in result.record_problems]
    problems += result.access_messages()
    access = result.access
    rebuilt = result.findings_rebuilt
    if fmt is OutputFormat.JSON:
        emit_json({"ok": result.ok, "size": log.size, "root": log.root.hex(),
                   "checkpoints_verified": log.checkpoints_verified, "external_checkpoints_verified":
                   log.anchors_verified, "witness_signatures_verified": log.witness_signatures_verified,
                   "records_checked": result.records_checked, "files_checked": result.files_checked,
                   "problems": problems, "notes": log.notes,
                   "access_log": None if access is None else {
                       "ok": access.ok, "size": access.log.size,
                       "checkpoints_verified": access.log.checkpoints_verified,
                       "external_checkpoints_verified": access.log.anchors_verified,
                       "records_checked": access.records_checked, "notes": access.log.notes},
                   "findings_rebuilt": None if rebuilt is None else [
                       {"key": f.key, "rule": f.rule_id, "cases": list(f.case_ids)} for f in rebuilt]})
        return
    typer.echo(log_summary(log))
    typer.echo(_("%(records)s records and %(files)s evidence files checked; %(outside)s checkpoints kept outside the "
                 "database and %(witnessed)s witness signatures verified.")
               % {"records": result.records_checked, "files": result.files_checked,
                  "outside": log.anchors_verified, "witnessed": log.witness_signatures_verified})
    for note in log.notes:
        typer.echo(_("note: %(note)s") % {"note": note})
    if rebuilt is None:
        typer.echo(_("Findings were not rebuilt: the record did not verify."))
    elif rebuilt:
        typer.echo(_("Findings rebuilt from the verified record; %(num)s differed from what was stored (altered "
                     "outside dutycare, or changed by the passing of time):") % {"num": len(rebuilt)})
        for f in rebuilt[:50]:
            typer.echo(f"  {f.rule_id} {', '.join(f.case_ids)} ({f.key[:12]})")
    else:
        typer.echo(_("Findings rebuilt from the verified record; none differed from what was stored."))
    if access is not None:
        typer.echo(_("access log: %(summary)s") % {"summary": log_summary(access.log)})
        typer.echo(_("%(num)s users, tokens, case restrictions and audit entries checked.")
                   % {"num": access.records_checked})
        for note in access.log.notes:
            typer.echo(_("note: access log: %(note)s") % {"note": note})
    if problems:
        typer.echo(f"FIRST PROBLEM: {problems[0]}", err=True)
        for line in problems[1:50]:
            typer.echo(f"  also: {line}", err=True)


@app.command("witness-key")
def witness_key(name: Annotated[str, typer.Argument(help="The witness's key name, e.g. lawyer.example/witness.",
                                                    show_default=False)],
                out: Annotated[Path, typer.Option("--out", help="File to write the private witness key to.",
                                                  show_default=False)]) -> None:
    """Make a witness key: the private key goes to --out; the printed verifier key goes into DUTYCARE_WITNESSES."""
    if out.exists():
        raise DomainError(f"{out} already exists; choose another file (a witness key is never overwritten).")
    try:
        secret, public = new_witness_key(name)
    except CheckpointError as exc:
        raise DomainError(str(exc)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.touch(mode=0o600)
    out.write_text(secret + "\n", encoding="utf-8")
    typer.echo(public)


@app.command("cosign")
def cosign(checkpoint_file: Annotated[Path, typer.Argument(help="The signed checkpoint file to co-sign.",
                                                           show_default=False)],
           witness_key_file: Annotated[Path, typer.Option("--witness-key", help="The witness's private key file.",
                                                          show_default=False)],
           out: Annotated[Path | None, typer.Option("--out", help="Where to write the co-signed checkpoint "
                                                    "(default: replace the file).", show_default=False)] = None,
           ) -> None:
    """Add a witness's Ed25519 co-signature line to a signed checkpoint (the witness runs this, not the log)."""
    signer = witness_signer(read_note(witness_key_file))
    text = read_note(checkpoint_file)
    try:
        signed = add_signature(text, signer)
    except CheckpointError as exc:
        raise DomainError(f"{checkpoint_file} cannot be co-signed: {exc}") from None
    target = out or checkpoint_file
    temp = target.with_name(f".{target.name}.cosign")
    temp.write_text(signed, encoding="utf-8", newline="")
    temp.replace(target)
    typer.echo(_("co-signed by %(name)s: %(path)s") % {"name": signer.key_name, "path": target})


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
    typer.echo(_("entry %(seq)s is leaf %(leaf)s of the tree of size %(size)s")
               % {"seq": proof.seq, "leaf": proof.leaf_hash.hex(), "size": proof.tree_size})
    typer.echo(_("root %(root)s, audit path of %(num)s hashes:") % {"root": proof.root.hex(), "num": len(proof.path)})
    for h in proof.path:
        typer.echo(f"  {h.hex()}")
    typer.echo(proof.checkpoint, nl=False)


@app.command("export")
def export(out_dir: Annotated[Path, typer.Argument(help="Directory to write the bundle into.", show_default=False)],
           db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None) -> None:
    """Write a proof bundle (entries, checkpoints, public key, proofs) that tools/verify_bundle.py checks."""
    with opened(db, key_file, passphrase) as dc:
        service.make_checkpoint(dc.uow(), dc.signer(), dc.checkpoint_folder())
        written = service.export_bundle(dc.uow(), out_dir, dc.trusted_key())
    for path in written:
        typer.echo(_("wrote %(path)s") % {"path": path})
    typer.echo(_("Check it anywhere with: %(command)s") % {"command": f"python tools/verify_bundle.py {out_dir}"})
