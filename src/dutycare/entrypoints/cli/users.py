"""`dutycare users`: add and list the people who sign in to the web application, and make API tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    FormatOption,
    KeyFileOption,
    OutputFormat,
    PassphraseOption,
    acting,
    emit_json,
    opened,
    staff_uow,
)
from dutycare.entrypoints.cli.speech import _, ngettext
from dutycare.entrypoints.cli.speech import label as word
from dutycare.service_layer import accounts
from dutycare.service_layer.access import Role

app = typer.Typer(help="Users of the web application, their roles and API tokens.", no_args_is_help=True)
ROLES = ", ".join(r.value for r in Role)


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
    actor: ActorOption = None,
) -> None:
    """Add a user as the coordinator --actor names; the first coordinator of a new database needs no --actor.

    Prints a generated password once (or asks for one with --ask-password).
    """
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True) if ask_password else None
    with opened(db, key_file, passphrase, actor=actor) as dc:
        by = accounts.acting_user(staff_uow(dc), dc.settings.actor) if dc.settings.actor else None
        user, generated = accounts.add_user(staff_uow(dc), name, role, datetime.now(UTC), by=by,
                                            display_name=display_name, password=password)
    typer.echo(_("Added %(name)s as %(role)s.") % {"name": user.name, "role": word(user.role.value)})
    if generated:
        typer.echo(_("Password (shown only now): %(password)s") % {"password": generated})


@app.command("list")
def list_(db: DbOption = None, key_file: KeyFileOption = None, passphrase: PassphraseOption = None,
          actor: ActorOption = None, fmt: FormatOption = OutputFormat.TEXT) -> None:
    """List users with their roles."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, _by):
        users = accounts.list_users(staff_uow(dc))
    if fmt is OutputFormat.JSON:
        emit_json([{"name": u.name, "display_name": u.display_name, "role": u.role.value, "active": u.active,
                    "second_factor": u.has_second_factor, "created_at": u.created_at} for u in users])
        return
    for u in users:
        state = _("active") if u.active else _("suspended")
        factor = "2FA" if u.has_second_factor else "—"
        typer.echo(f"{u.name:<20} {word(u.role.value):<14} {state:<14} {factor:<4} {u.display_name}")
    typer.echo(ngettext("%(num)s user", "%(num)s users", len(users)) % {"num": len(users)})


@app.command("token")
def token(
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "command line",
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Create an API token for a user (use it as 'Authorization: Bearer …'); printed once, stored hashed.

    --actor names yourself (for your own token) or a coordinator.
    """
    with acting(db, key_file, passphrase, actor=actor) as (dc, by):
        user = accounts.user_by_name(staff_uow(dc), name)
        _created, secret = accounts.create_token(staff_uow(dc), user.id, label, datetime.now(UTC), by=by)
    typer.echo(secret)


@app.command("change")
def change(
    name: Annotated[str, typer.Argument(help="The user to change.")],
    role: Annotated[str | None, typer.Option("--role", help=f"A new role: {ROLES}.", show_default=False)] = None,
    active: Annotated[bool | None, typer.Option("--reinstate/--suspend", help="Let the user sign in, or not.",
                                                show_default=False)] = None,
    reset_second_factor: Annotated[bool, typer.Option("--reset-second-factor",
                                                      help="Remove the user's second factor.")] = False,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
) -> None:
    """Change a user's role, suspend or reinstate them, or reset their second factor (as the coordinator --actor
    names); their sessions end."""
    with acting(db, key_file, passphrase, actor=actor) as (dc, by):
        user = accounts.user_by_name(staff_uow(dc), name)
        changed = accounts.change_user(staff_uow(dc), user.id, datetime.now(UTC), by=by, role=role, active=active,
                                       reset_second_factor=reset_second_factor)
    typer.echo(f"{changed.name}: {word(changed.role.value)}, {_('active') if changed.active else _('suspended')}.")
