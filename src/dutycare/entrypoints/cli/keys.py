"""Commands that keep the organisation key: recovery phrases, recovery after a loss, rotation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from dutycare import key_custody
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import NotAllowed
from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    KeyFileOption,
    PassphraseOption,
    VaultOption,
    acting,
    fail,
    settings_from,
)
from dutycare.entrypoints.cli.speech import _, said
from dutycare.service_layer.access import Role


@contextmanager
def coordinating(db: str | None, key_file: Path | None, passphrase: str | None, vault: Path | None = None, *,
                 actor: str | None) -> Iterator[Dutycare]:
    """Open the database as --actor, who must be a coordinator: only they may hold the key's custody."""
    with acting(db, key_file, passphrase, vault, actor=actor) as (dc, user):
        if user.role is not Role.COORDINATOR:
            raise NotAllowed("Only a coordinator may split, recover or rotate the organisation key.")
        yield dc


app = typer.Typer(help="Keep the organisation key: split it among coordinators, recover it, rotate it.",
                  no_args_is_help=True)


@app.command("split")
def split(
    shares: Annotated[int, typer.Option("--shares", help="How many coordinators get a phrase.")],
    threshold: Annotated[int, typer.Option("--threshold", help="How many phrases together recover the key.")],
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Print recovery phrases (SLIP-39 shares) once: any THRESHOLD of them recover a lost key; earlier ones stop.

    Needs --actor naming a coordinator."""
    with coordinating(db, key_file, passphrase, actor=actor) as dc:
        phrases = key_custody.split_key(dc, shares, threshold)
    typer.echo(_("Recovery phrases: any %(threshold)s of these %(shares)s recover this database's key. Give each to "
                 "a different coordinator, on paper; they are shown only now and are not stored anywhere.")
               % {"threshold": threshold, "shares": shares} + "\n")
    for number, phrase in enumerate(phrases, start=1):
        typer.echo(_("Phrase %(number)s of %(shares)s:") % {"number": number, "shares": shares} + f"\n  {phrase}\n")
    typer.echo(_("Any phrases from an earlier split no longer work."))


@app.command("recover")
def recover(
    share_file: Annotated[list[Path] | None, typer.Option(
        "--share-file", help="A file holding one recovery phrase (repeat the option); asked for if not given.",
        show_default=False)] = None,
    db: DbOption = None,
    key_file: Annotated[Path | None, typer.Option(
        "--key-file", help="Where to write the recovered key file (default: the default key path of the database).",
        show_default=False)] = None,
    passphrase: Annotated[str | None, typer.Option(
        "--passphrase", help="For a passphrase-locked database: the new passphrase to lock the recovered key with.",
        show_default=False)] = None,
) -> None:
    """Recover a lost key from recovery phrases: writes a new key file, or locks with a new passphrase."""
    phrases = [_read_phrase(path) for path in share_file or []]
    if not phrases:
        phrases = _ask_phrases()
    settings = settings_from(db, key_file, passphrase)
    location = key_custody.recover_key(settings, phrases, new_passphrase=settings.passphrase)
    typer.echo(_("Recovered the organisation key. It is now %(key)s: keep it safe and apart from the data.")
               % {"key": said(location)})


def _read_phrase(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        fail(_("cannot read the recovery phrase in %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror})


def _ask_phrases() -> list[str]:
    first = typer.prompt("Recovery phrase 1", hide_input=True)
    needed = key_custody.shares_needed(first)
    return [first] + [typer.prompt(f"Recovery phrase {n} of {needed}", hide_input=True)
                      for n in range(2, needed + 1)]


@app.command("rotate")
def rotate(
    new_key_file: Annotated[Path | None, typer.Option(
        "--new-key-file", help="Write the new key here (default: replace the current key file, keeping the old one "
        "renamed beside it).", show_default=False)] = None,
    new_passphrase: Annotated[str | None, typer.Option(
        "--new-passphrase", help="For a passphrase-locked database: lock the new key with this passphrase "
        "(default: the current one).", show_default=False)] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    vault: VaultOption = None,
    actor: ActorOption = None,
) -> None:
    """Move every record and evidence file to a new organisation key; the old key stops opening the database.

    Needs --actor naming a coordinator."""
    with coordinating(db, key_file, passphrase, vault, actor=actor) as dc:
        done = key_custody.rotate_key(dc, new_key_file=new_key_file, new_passphrase=new_passphrase)
    typer.echo(_("Rotated the organisation key: %(values)s sealed values and %(files)s evidence files now use the new "
                 "key, which is %(key)s.")
               % {"values": done.values, "files": done.files, "key": said(done.location)})
    if done.retired is not None:
        typer.echo(_("The old key file was kept as %(path)s, for backups made before now; destroy it when those "
                     "backups are no longer needed.") % {"path": done.retired})
    typer.echo(_("Recovery phrases made with 'dutycare keys split', if any, still work."))
