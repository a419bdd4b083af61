"""The demo: a fresh local database with the canonical scenario, summarised (and served)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dutycare.bootstrap import Dutycare, initialise, key_location
from dutycare.domain.errors import DomainError
from dutycare.entrypoints.cli.common import KeyFileOption, LanguageOption, staff_uow
from dutycare.entrypoints.cli.render import findings_text, timeline_text
from dutycare.entrypoints.cli.serve import HostOption, PortOption, listen, run_server
from dutycare.entrypoints.cli.speech import _, ngettext, record_kind, said, use_language
from dutycare.entrypoints.cli.speech import label as word
from dutycare.scenario import load_scenario
from dutycare.service_layer import access_log, accounts, findings, ledger_service, services
from dutycare.settings import Settings

DEMO_DB = Path("dutycare-demo") / "demo.db"
DEMO_MARK = ".dutycare-demo"
DEMO_USERS = (("coordinator", "coordinator"), ("caseworker", "caseworker"))


def _reset(db: Path, vault: Path, checkpoints: Path) -> None:
    """Remove an earlier demo database; refuse to touch anything that is not one."""
    folder = db.parent
    if db.exists() and not (folder / DEMO_MARK).exists():
        raise DomainError(_("%(db)s exists and is not a dutycare demo database; choose another --db for the demo.")
                          % {"db": db})
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(vault, ignore_errors=True)
    shutil.rmtree(checkpoints, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARK).write_text("This folder holds a dutycare demo database; 'dutycare demo' recreates it.\n",
                                    encoding="utf-8")


def load_demo(db: Path, key_file: Path | None) -> Dutycare:
    """Create a fresh demo database holding the canonical scenario, with both logs' tree heads signed (so the
    ledger page shows a checkpoint and 'ledger verify' has one to check against)."""
    settings = Settings.from_env(db=str(db), key_file=key_file, passphrase=None, actor="demo")
    settings = settings.with_(db=str(db), actor="demo", vault=db.with_name(db.name + ".vault"),
                              checkpoint_dir=db.parent / "checkpoints")
    _reset(db, settings.vault_dir(), db.parent / "checkpoints")
    app = initialise(settings)
    services.import_case_file(app.uow(), load_scenario())
    return app


def sign_checkpoints(app: Dutycare) -> int:
    """Sign the case ledger's and the access log's tree heads, as 'dutycare ledger checkpoint' does; the size."""
    signer = app.signer()
    cp, _note = ledger_service.make_checkpoint(app.uow(), signer, app.checkpoint_folder())
    access_log.make_checkpoint(app.uow(), signer, datetime.now(UTC), app.access_checkpoint_folder())
    return cp.size


def demo(
    db: Annotated[Path, typer.Option("--db", help="Where to create the demo database (recreated each time).")]
    = DEMO_DB,
    key_file: KeyFileOption = None,
    lang: LanguageOption = None,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the web application afterwards.")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Load the canonical scenario into a fresh local database, print each case's timeline, and serve the app.

    A port already taken is told at once, before anything is loaded.
    """
    use_language(lang)
    sock = listen(host, port) if serve else None
    app = load_demo(db, key_file)
    try:
        typer.echo(_("Demo database: %(db)s (organisation key: %(key)s)")
                   % {"db": db, "key": said(key_location(app))})
        typer.echo("")
        for case_id in ("case-a", "case-b", "case-c"):
            typer.echo(timeline_text(services.case_timeline(app.uow(), case_id)))
            typer.echo(findings_text(findings.case_findings(app.uow(), case_id)))
            typer.echo("")
        counts = services.record_counts(app.uow())
        typer.echo(_("Loaded: %(counts)s") % {"counts": ", ".join(f"{record_kind(k)}: {n}" for k, n in counts.items())})
        size = sign_checkpoints(app)
        typer.echo(ngettext("Signed a checkpoint of the ledger at %(num)s entry.",
                            "Signed a checkpoint of the ledger at %(num)s entries.", size) % {"num": size})
        if serve:
            typer.echo("")
            typer.echo(_("Demo sign-ins (passwords shown only now):"))
            by: accounts.User | None = None  # the first is the database's bootstrap coordinator; it adds the others
            for name, role in DEMO_USERS:
                user, password = accounts.add_user(staff_uow(app), name, role, datetime.now(UTC), by=by)
                by = by or user
                typer.echo(f"  {name:<12} {word(role):<18} {password}")
            run_server(app, host, port, sock=sock)
    finally:
        if sock is not None:
            sock.close()
        app.close()
