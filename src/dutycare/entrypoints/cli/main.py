"""The dutycare command line: one Typer application, one module per command group."""

from __future__ import annotations

import typer

from dutycare.entrypoints.cli import (
    backup,
    cases,
    complaints,
    demo,
    evidence,
    field_collection,
    findings,
    ledger,
    records,
)
from dutycare.entrypoints.cli import intake as intake_cmd
from dutycare.entrypoints.cli import keys as keys_cmd
from dutycare.entrypoints.cli import patterns as patterns_cmd
from dutycare.entrypoints.cli import publications as publications_cmd
from dutycare.entrypoints.cli import serve as serve_cmd
from dutycare.entrypoints.cli import suggest as suggest_cmd
from dutycare.entrypoints.cli import synth as synth_cmd
from dutycare.entrypoints.cli import users as users_cmd
from dutycare.entrypoints.cli.common import GuardedGroup, LanguageOption
from dutycare.entrypoints.cli.speech import use_language


def _root(lang: LanguageOption = None) -> None:
    """Document, detect, escalate and publish denial of medical care to wounded service members."""
    use_language(lang)


def build_app() -> typer.Typer:
    """Assemble the command-line application."""
    app = typer.Typer(
        cls=GuardedGroup,
        name="dutycare",
        help="Document, detect, escalate and publish denial of medical care to wounded service members.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    app.command("init")(records.init)
    app.command("migrate")(records.migrate)
    app.command("import")(records.import_)
    app.command("export")(records.export)
    app.command("demo")(demo.demo)
    app.add_typer(cases.app, name="cases")
    app.add_typer(evidence.app, name="evidence")
    app.add_typer(complaints.app, name="complaints")
    app.add_typer(ledger.app, name="ledger")
    app.command("findings")(findings.findings)
    app.command("deadlines")(findings.deadlines)
    app.add_typer(findings.rules_app, name="rules")
    app.command("serve")(serve_cmd.serve)
    app.command("serve-intake")(intake_cmd.serve_intake)
    app.add_typer(users_cmd.app, name="users")
    app.command("synth")(synth_cmd.synth)
    app.add_typer(backup.app, name="backup")
    app.command("restore")(backup.restore)
    app.add_typer(keys_cmd.app, name="keys")
    app.command("patterns")(patterns_cmd.patterns)
    app.add_typer(publications_cmd.app, name="publications")
    app.command("suggest")(suggest_cmd.suggest)
    intake_app = typer.Typer(help="The public intake: its key, the form for offline collection, and its submissions.",
                             no_args_is_help=True)
    intake_app.registered_commands.extend(intake_cmd.app.registered_commands)
    field_collection.register(intake_app)
    app.add_typer(intake_app, name="intake")
    return app


def run() -> None:
    """Console entry point."""
    build_app()()
