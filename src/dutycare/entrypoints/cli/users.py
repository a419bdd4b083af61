"""`dutycare users`: add and list the people who sign in to the web application, and make API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.entrypoints.cli.common import (
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    emit_json,
    opened,
)
from dutycare.service_layer import accounts, audit
from dutycare.service_layer.access import Role

app = typer.Typer(help="Users of the web application, their roles and API tokens.", no_args_is_help=True)
ROLES = ", ".join(r.value for r in Role)


def staff_uow(dc: Dutycare) -> StaffSqlUnitOfWork:
    """A unit of work over the access tables, acting as the operating-system user."""
    return StaffSqlUnitOfWork.like(dc.uow())


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Sign-in name: lowercase letters, digits, '.', '_' or '-'.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {ROLES}.")],
    display_name: Annotated[str | None, typer.Option("--display-name", help="Name shown in the pages.")] = None,
    ask_password: Annotated[bool, typer.Option("--ask-password", help="Type a password instead of generating one.")]
    = False,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
) -> None:
    """Add a user; prints a generated password once (or asks for one with --ask-password)."""
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True) if ask_password else None
    with opened(db, key_file, passphrase) as dc:
        user, generated = accounts.add_user(staff_uow(dc), name, role, datetime.now(UTC),
                                            display_name=display_name, password=password)
        audit.record(staff_uow(dc), None, audit.AuditAction.USER_CREATED, "user", user.id, datetime.now(UTC),
                     f"{user.name} as {user.role.value} (command line, {dc.settings.who})")
    typer.echo(f"Added {user.name} as {user.role.value}.")
    if generated:
        typer.echo(f"Password (shown only now): {generated}")


@app.command("list")
def list_(db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
          fmt: FormatOption = OutputFormat.TEXT) -> None:
    """List users with their roles."""
    with opened(db, key_file, passphrase) as dc:
        users = accounts.list_users(staff_uow(dc))
    if fmt is OutputFormat.JSON:
        emit_json([{"name": u.name, "display_name": u.display_name, "role": u.role.value, "active": u.active,
                    "second_factor": u.has_second_factor, "created_at": u.created_at} for u in users])
        return
    for u in users:
        state = "active" if u.active else "suspended"
        factor = "2FA" if u.has_second_factor else "—"
        typer.echo(f"{u.name:<20} {u.role.value:<12} {state:<10} {factor:<4} {u.display_name}")
    typer.echo(f"{len(users)} user(s)")


@app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "command line",
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
) -> None:
    """Create an API token for a user (use it as 'Authorization: Bearer …'); printed once, stored hashed."""
    with opened(db, key_file, passphrase) as dc:
        user = accounts.user_by_name(staff_uow(dc), name)
        created, secret = accounts.create_token(staff_uow(dc), user.id, label, datetime.now(UTC))
        audit.record(staff_uow(dc), None, audit.AuditAction.TOKEN_CREATED, "token", created.id, datetime.now(UTC),
                     f"for {user.name}: {label} (command line, {dc.settings.who})")
    typer.echo(secret)
