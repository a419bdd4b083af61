"""Commands for backups: make a backup key, back up a database with its files, restore one and verify it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from dutycare.adapters import backup_archive as archive
from dutycare.adapters.storage.snapshot import SqlDatabase
from dutycare.bootstrap import checkpoint_base, open_dutycare
from dutycare.entrypoints.cli.common import (
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    VaultOption,
    emit_json,
    fail,
    settings_from,
)
from dutycare.entrypoints.cli.ledger import log_summary
from dutycare.entrypoints.cli.speech import _
from dutycare.service_layer import backup as service
from dutycare.service_layer.ledger_service import Verification
from dutycare.settings import Settings

CheckpointsOption = Annotated[Path | None, typer.Option(
    "--checkpoints", help="The folder of signed checkpoints kept outside the database (backup: by default the "
    "database's checkpoint folder, when it exists; restore: where the backup's checkpoint files go).",
    show_default=False)]


class BackupGroup(TyperGroup):
    """`dutycare backup OUT_FILE ...` means `dutycare backup create OUT_FILE ...`; `keygen` is the other command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=BackupGroup, no_args_is_help=True,
                  help="Back up the database, its evidence files and external checkpoints, encrypted to a backup "
                       "key. 'dutycare backup OUT_FILE --recipient KEY.pub' is short for 'dutycare backup create'.")


@app.command("keygen")
def keygen(
    private_key_file: Annotated[Path, typer.Argument(help="Where to write the private backup key (mode 0600). Keep it "
                                             "offline and away from the backups.", show_default=False)],
    public: Annotated[Path | None, typer.Option("--public", help="Where to write the public key that 'backup' "
                                                "needs (default: the private key's name + .pub).",
                                                show_default=False)] = None,
) -> None:
    """Make a backup key pair: backups are encrypted to the public key and only the private key restores them."""
    public = public or private_key_file.with_name(private_key_file.name + ".pub")
    if public.exists():
        fail(_("%(path)s already exists; dutycare never overwrites a key file. Choose another name.")
             % {"path": public})
    key = archive.BackupIdentity.generate()
    archive.write_identity(private_key_file, key)
    archive.write_recipient(public, key.recipient())
    typer.echo(_("Wrote the private backup key to %(private)s (only you can read it) and the public key to "
                 "%(public)s.") % {"private": private_key_file, "public": public})
    typer.echo(_("Its fingerprint is %(fingerprint)s. Keep the private key apart from the backups: whoever holds "
                 "both can read them.") % {"fingerprint": key.recipient().fingerprint().hex()})


@app.command("create")
def create(
    out_file: Annotated[Path, typer.Argument(help="The backup file to write (must not exist yet).",
                                             show_default=False)],
    recipient: Annotated[Path, typer.Option("--recipient", help="The public backup key file (from 'dutycare "
                                            "backup keygen') to encrypt to.", show_default=False)],
    checkpoints: CheckpointsOption = None,
    db: DbOption = None,
    vault: VaultOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Write a consistent, encrypted snapshot of the database, the evidence vault and the external checkpoints."""
    settings = settings_from(db, vault=vault)
    key = archive.load_recipient(recipient)
    if out_file.exists():
        fail(_("%(path)s already exists; choose a new file name for the backup.") % {"path": out_file})
    if not out_file.parent.is_dir():
        fail(_("The folder %(path)s does not exist; create it first.") % {"path": out_file.parent})
    if checkpoints is None and checkpoint_base(settings).is_dir():
        checkpoints = checkpoint_base(settings)
    summary = service.create_backup(SqlDatabase(settings.db), settings.vault_dir(), checkpoints,
                                    lambda: archive.ArchiveWriter(out_file, key), out_file.parent, datetime.now(UTC))
    if fmt is OutputFormat.JSON:
        emit_json({"file": str(out_file), **summary.manifest})
        return
    m = summary.manifest
    typer.echo(_("Backed up the %(backend)s database (schema %(schema)s, ledger of %(size)s entries, root "
                 "%(root)s), %(files)s evidence files and %(checkpoints)s checkpoint files to %(path)s.")
               % {"backend": m["backend"], "schema": m["schema_revision"], "size": summary.ledger_size,
                  "root": m["ledger"]["root"], "files": summary.count(service.VAULT_PREFIX),
                  "checkpoints": summary.count(service.CHECKPOINT_PREFIX), "path": out_file})


def _verifier(settings: Settings) -> Verification:
    dc = open_dutycare(settings)
    try:
        return dc.verify()
    finally:
        dc.close()


def restore(
    backup_file: Annotated[Path, typer.Argument(help="The backup file to restore.", show_default=False)],
    identity: Annotated[Path, typer.Option("--identity", help="The private backup key file that matches the "
                                           "public key the backup was made with.", show_default=False)],
    db: DbOption = None,
    vault: VaultOption = None,
    checkpoints: CheckpointsOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Restore a backup into an empty database and vault, and keep it only if its ledger verifies."""
    settings = settings_from(db, key_file, passphrase, vault)
    key = archive.load_identity(identity)
    summary = service.restore_backup(
        backup_file, lambda path, staging: archive.read_archive(path, key, staging), SqlDatabase(settings.db),
        settings.vault_dir(), checkpoints,
        lambda: _verifier(settings.with_(checkpoint_dir=checkpoints) if checkpoints else settings))
    result = summary.verification
    if fmt is OutputFormat.JSON:
        emit_json({"ok": True, "db": settings.db, "vault": str(settings.vault_dir()),
                   "backup_created_at": summary.manifest["created_at"], "size": result.log.size,
                   "root": result.log.root.hex(), "records_checked": result.records_checked,
                   "files_checked": result.files_checked, "vault_files": summary.vault_files,
                   "checkpoint_files": summary.checkpoint_files})
        return
    typer.echo(_("Restored the backup of %(at)s into %(db)s (vault %(vault)s).")
               % {"at": summary.manifest["created_at"], "db": settings.db, "vault": settings.vault_dir()})
    typer.echo(_("Verified: %(summary)s") % {"summary": log_summary(result.log)})
    typer.echo(_("%(records)s records and %(files)s evidence files checked.")
               % {"records": result.records_checked, "files": result.files_checked})
