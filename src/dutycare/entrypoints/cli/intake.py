"""`dutycare serve-intake` and `dutycare intake ...`: the public form's own process, and its key."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dutycare.adapters.crypto.intake_box import parse_public_key, public_key_text
from dutycare.adapters.storage.intake_store import SqlIntakeStore
from dutycare.bootstrap import open_intake
from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    KeyFileOption,
    LanguageOption,
    PassphraseOption,
    fail,
)
from dutycare.entrypoints.cli.keys import coordinating
from dutycare.entrypoints.cli.serve import HostOption, _is_loopback, _uvicorn_options
from dutycare.entrypoints.cli.speech import _, use_language
from dutycare.service_layer.intake import IntakeLimits
from dutycare.service_layer.intake_guard import FormTickets, TokenBucket
from dutycare.settings import SETTINGS, Settings

_INTAKE_HELP = next(s for s in SETTINGS if s.name == "intake_db").help
IntakeDbOption = Annotated[str | None, typer.Option("--intake-db", help=f"{_INTAKE_HELP} [env: DUTYCARE_INTAKE_DB]",
                                                    show_default=False)]
IntakePassphraseOption = Annotated[str | None, typer.Option(
    "--intake-passphrase", show_default=False,
    help="The passphrase that locks the intake private key (asked for when left out; at least 12 characters). "
         "Coordinators type it in the staff application to read submissions.")]

app = typer.Typer(help="The public intake form's key: make it, show it, set it on a separate intake server.",
                  no_args_is_help=True)


def intake_target(db: str | None, intake_db: str | None) -> str:
    target = Settings.from_env(db=db, intake_db=intake_db).intake_target()
    if target is None:
        fail(_("Name the intake database: pass --intake-db or set DUTYCARE_INTAKE_DB."))
    return target


@app.command("keygen")
def keygen(
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    intake_db: IntakeDbOption = None,
    intake_passphrase: IntakePassphraseOption = None,
    public_key_file: Annotated[Path | None, typer.Option(
        "--public-key-file", help="Also write the public key to this file (for a separate intake server).",
        show_default=False)] = None,
    lang: LanguageOption = None,
) -> None:
    """Make the intake key pair: the private key, locked with a passphrase, stays in the case database; the
    public key goes into the intake database, which the intake process seals every submission to."""
    use_language(lang)
    if intake_passphrase is None:
        intake_passphrase = str(typer.prompt(_("Passphrase for the intake key"), hide_input=True,
                                             confirmation_prompt=True))
    with coordinating(db, key_file, passphrase, actor=actor) as dc:
        if intake_db:
            dc.settings = dc.settings.with_(intake_db=intake_db)
        public = dc.make_intake_key(intake_passphrase)
    text = public_key_text(public)
    if public_key_file is not None:
        public_key_file.write_text(text + "\n", encoding="ascii")
    typer.echo(_("Intake key made. Public key: %(key)s") % {"key": text})
    typer.echo(_("The private key is kept in the case database, locked with the passphrase; without the passphrase "
                 "no submission can be read. Keep it safe: it cannot be recovered."))


@app.command("set-public-key")
def set_public_key(
    public_key: Annotated[str, typer.Argument(help="The public key 'intake keygen' printed (dutycare-intake-pk:…).")],
    intake_db: IntakeDbOption = None,
    db: DbOption = None,
    lang: LanguageOption = None,
) -> None:
    """Set the public key on a separate intake server's database (created if needed)."""
    use_language(lang)
    try:
        raw = parse_public_key(public_key)
    except ValueError:
        fail(_("That is not an intake public key: copy the whole 'dutycare-intake-pk:…' text 'intake keygen' "
               "printed."))
    store = SqlIntakeStore.open(intake_target(db, intake_db))
    try:
        store.set_public_key(raw)
    finally:
        store.close()
    typer.echo(_("Public key set: new submissions are sealed to it."))


@app.command("public-key")
def show_public_key(intake_db: IntakeDbOption = None, db: DbOption = None, lang: LanguageOption = None) -> None:
    """Print the public key an intake database seals submissions to."""
    use_language(lang)
    store = SqlIntakeStore.open(intake_target(db, intake_db))
    try:
        raw = store.public_key()
    finally:
        store.close()
    if raw is None:
        fail(_("This intake database has no public key yet: run 'dutycare intake keygen'."))
    typer.echo(public_key_text(raw))


def serve_intake(
    intake_db: IntakeDbOption = None,
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8100,
    wait_seconds: Annotated[int, typer.Option(
        "--wait-seconds", min=0, max=600,
        help="Seconds a form must be open before it is taken (the proof of work for a browser without JavaScript).")
    ] = 5,
    pow_bits: Annotated[int, typer.Option(
        "--pow-bits", min=0, max=28,
        help="Leading zero bits of SHA-256(ticket:nonce) that let a client skip the wait (0: no proof of work).")
    ] = 0,
    per_hour: Annotated[int, typer.Option(
        "--per-hour", min=1, max=100000, help="Submissions taken per hour from everyone together (a token bucket).")
    ] = 360,
    quota_mb: Annotated[int, typer.Option(
        "--quota-mb", min=1, max=10_000_000, help="Most sealed data the intake database may hold, in MiB.")] = 2048,
    lang: LanguageOption = None,
) -> None:
    """Serve the public intake form (its own process and database; it holds no private key and no case data)."""
    use_language(lang)
    import uvicorn

    from dutycare.entrypoints.intake.app import create_intake_app

    target = intake_target(db, intake_db)
    side = open_intake(target)
    limits = IntakeLimits(quota_bytes=quota_mb << 20)
    burst = max(10, per_hour // 6)
    application = create_intake_app(
        side.store, side.receipts, limits=limits, tickets=FormTickets(time.time, wait_seconds, pow_bits),
        submissions=TokenBucket(burst, per_hour / 3600, time.monotonic),
        checks=TokenBucket(60, 1.0, time.monotonic), today=lambda: datetime.now(UTC).date())
    if not _is_loopback(host):
        typer.echo(_("Warning: serve the intake form over HTTPS or as a Tor onion service, never plain HTTP."),
                   err=True)
    url = f"http://{host}:{port}/"
    typer.echo(_("Serving the intake form at %(url)s (Ctrl+C stops it)") % {"url": url})
    try:
        uvicorn.run(application, host=host, port=port, **_uvicorn_options())
    finally:
        side.close()
