"""The demo: a fresh local database with the canonical scenario, summarised (and served)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from dutycare.bootstrap import Dutycare, initialise, key_location
from dutycare.domain.errors import DomainError
from dutycare.entrypoints.cli.common import KeyFileOption, staff_uow
from dutycare.entrypoints.cli.render import findings_text, timeline_text
from dutycare.entrypoints.cli.serve import HostOption, PortOption, run_server
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, findings, services
from dutycare.settings import Settings

DEMO_DB = Path("dutycare-demo") / "demo.db"
DEMO_MARK = ".dutycare-demo"
DEMO_USERS = (("coordinator", "coordinator"), ("caseworker", "caseworker"))


def _reset(db: Path, vault: Path) -> None:
    """Remove an earlier demo database; refuse to touch anything that is not one."""
    folder = db.parent
    if db.exists() and not (folder / DEMO_MARK).exists():
        raise DomainError(f"{db} exists and is not a dutycare demo database; choose another --db for the demo.")
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)
    shutil.rmtree(vault, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARK).write_text("This folder holds a dutycare demo database; 'dutycare demo' recreates it.\n")


def load_demo(db: Path, key_file: Path | None) -> Dutycare:
    """Create a fresh demo database holding the canonical scenario."""
    settings = Settings.from_env(db=str(db), key_file=key_file, passphrase=None, actor="demo")
    settings = settings.with_(db=str(db), actor="demo", vault=db.with_name(db.name + ".vault"))
    _reset(db, settings.vault_dir())
    app = initialise(settings)
    services.import_case_file(app.uow(), load_scenario())
    return app


def demo(
    db: Annotated[Path, typer.Option("--db", help="Where to create the demo database (recreated each time).")]
    = DEMO_DB,
    key_file: KeyFileOption = None,
    lang: Annotated[str, typer.Option(help="Language of labels: ru or en.")] = "ru",
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the web application afterwards.")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Load the canonical scenario into a fresh local database, print each case's timeline, and serve the app."""
    app = load_demo(db, key_file)
    try:
        typer.echo(f"Demo database: {db} (organisation key: {key_location(app)})\n")
        for case_id in ("case-a", "case-b", "case-c"):
            typer.echo(timeline_text(services.case_timeline(app.uow(), case_id), lang))
            typer.echo(findings_text(findings.case_findings(app.uow(), case_id), lang))
            typer.echo("")
        counts = services.record_counts(app.uow())
        typer.echo("Loaded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        if serve:
            typer.echo("\nDemo sign-ins (passwords shown only now):")
            by: accounts.User | None = None  # the first is the database's bootstrap coordinator; it adds the others
            for name, role in DEMO_USERS:
                user, password = accounts.add_user(staff_uow(app), name, role, datetime.now(UTC), by=by)
                by = by or user
                typer.echo(f"  {name:<12} {role:<12} {password}")
            run_server(app, host, port)
    finally:
        app.close()
