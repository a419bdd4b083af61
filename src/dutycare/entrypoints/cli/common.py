"""What every CLI command shares: options, opening the database, output, and turning errors into messages."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from dutycare.adapters.crypto.errors import CryptoError
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare, open_dutycare
from dutycare.domain.errors import DomainError, InvalidInput, Problem
from dutycare.entrypoints.cli.speech import _, ngettext, said, translator
from dutycare.entrypoints.web.labels import complaint_field_namer
from dutycare.service_layer import accounts
from dutycare.service_layer.accounts import User
from dutycare.settings import SETTINGS, Settings

_HELP = {s.name: f"{s.help} [env: {s.env}]" for s in SETTINGS}
MAX_PROBLEMS_SHOWN = 50

DbOption = Annotated[str | None, typer.Option("--db", help=_HELP["db"], show_default=False)]
KeyFileOption = Annotated[Path | None, typer.Option("--key-file", help=_HELP["key_file"], show_default=False)]
PassphraseOption = Annotated[str | None, typer.Option("--passphrase", help=_HELP["passphrase"], show_default=False)]
VaultOption = Annotated[Path | None, typer.Option("--vault", help=_HELP["vault"], show_default=False)]
ActorOption = Annotated[str | None, typer.Option("--actor", help=_HELP["actor"], show_default=False)]


class OutputFormat(StrEnum):
    """How a command prints data."""

    TEXT = "text"
    JSON = "json"


LanguageOption = Annotated[str | None, typer.Option(
    "--lang", help="Language of what the command prints: ru or en (default: DUTYCARE_LANG, else the locale: "
    "LC_ALL, LC_MESSAGES, LANG; English when none names Russian).", show_default=False)]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Print readable text or JSON.")]


class GuardedGroup(TyperGroup):
    """The top-level command group: errors a user can cause become messages and exit code 1, never tracebacks."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidInput as exc:
            fail(describe_problems(exc))
        except (DomainError, CryptoError) as exc:
            fail(str(exc))


def fail(message: str) -> NoReturn:
    """Print an error for the user (in the run's language where the message is known) and stop with exit 1."""
    typer.echo(_("Error: %(message)s") % {"message": said(message)}, err=True)
    raise typer.Exit(code=1)


def problem_line(problem: Problem) -> str:
    """One problem of a rejected input, located, in the run's language."""
    where = f"{problem.location}.{problem.field}" if problem.field else problem.location
    tr = translator()
    if tr.lang != "en" and problem.location == "complaint" and problem.field:
        where = _("complaint, %(field)s") % {"field": complaint_field_namer(tr.gettext)(problem.field)}
    return f"{where}: {said(problem.message)}"


def describe_problems(exc: InvalidInput) -> str:
    """Every problem of a rejected input, one per line, capped."""
    lines = [ngettext("the input was rejected and nothing was written (%(num)s problem):",
                      "the input was rejected and nothing was written (%(num)s problems):", exc.total)
             % {"num": exc.total}]
    lines += [f"  - {problem_line(p)}" for p in exc.problems[:MAX_PROBLEMS_SHOWN]]
    if exc.total > MAX_PROBLEMS_SHOWN:
        lines.append("  " + _("… and %(num)s more") % {"num": exc.total - MAX_PROBLEMS_SHOWN})
    return "\n".join(lines)


def settings_from(db: str | None = None, key_file: Path | None = None, passphrase: str | None = None,
                  vault: Path | None = None, actor: str | None = None) -> Settings:
    """Settings from options, falling back to the environment."""
    return Settings.from_env(db=db, key_file=key_file, passphrase=passphrase, vault=vault, actor=actor)


@contextmanager
def opened(db: str | None, key_file: Path | None = None, passphrase: str | None = None,
           vault: Path | None = None, actor: str | None = None) -> Iterator[Dutycare]:
    """Open the database named by options or environment, and close it afterwards."""
    app = open_dutycare(settings_from(db, key_file, passphrase, vault, actor), ask=_ask_in_terminal())
    try:
        yield app
    finally:
        app.close()


def staff_uow(dc: Dutycare) -> StaffSqlUnitOfWork:
    """A unit of work over the case record and the access tables."""
    return StaffSqlUnitOfWork.like(dc.uow())


@contextmanager
def acting(db: str | None, key_file: Path | None = None, passphrase: str | None = None,
           vault: Path | None = None, actor: str | None = None) -> Iterator[tuple[Dutycare, User]]:
    """Open the database as the staff account --actor (or DUTYCARE_ACTOR) names, which must be an active user;
    the ledger then names that account, never the operating-system user."""
    with opened(db, key_file, passphrase, vault, actor) as dc:
        user = accounts.acting_user(staff_uow(dc), dc.settings.actor)
        dc.actor = f"cli:{user.name}"
        yield dc, user


def _ask_in_terminal() -> Callable[[str], str] | None:
    """A hidden prompt for a missing passphrase, only when someone sits at a terminal."""
    if not sys.stdin.isatty():
        return None
    return lambda what: str(typer.prompt(what, hide_input=True))


def emit_json(data: Any) -> None:
    """Print data as indented JSON (UTF-8, Cyrillic kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
