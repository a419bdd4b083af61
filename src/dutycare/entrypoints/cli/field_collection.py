"""`dutycare intake xlsform` and `dutycare intake import`: the intake form for offline collection, and its
submissions brought into the triage queue."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from dutycare.adapters.importers.odk_export import read_export
from dutycare.adapters.storage.ledger_store import utc_now
from dutycare.adapters.xlsform import write_xlsform
from dutycare.bootstrap import open_field_queue
from dutycare.domain.errors import Problem
from dutycare.domain.intake_form import FORM_ID, FORM_VERSION, QUESTIONS, FieldSubmission
from dutycare.entrypoints.cli.common import (
    FormatOption,
    LanguageOption,
    OutputFormat,
    emit_json,
    fail,
    problem_line,
)
from dutycare.entrypoints.cli.speech import _, ngettext, translator, use_language
from dutycare.service_layer import field_collection
from dutycare.settings import SETTINGS, Settings

MAX_SHOWN = 50
_INTAKE_HELP = next(s for s in SETTINGS if s.name == "intake_db").help
IntakeDbOption = Annotated[str | None, typer.Option("--intake-db", help=f"{_INTAKE_HELP} [env: DUTYCARE_INTAKE_DB]",
                                                    show_default=False)]


def xlsform(
    out: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the form (an .xlsx workbook).")],
    lang: LanguageOption = None,
) -> None:
    """Write the intake form as an XLSForm, to publish on ODK Central or KoboToolbox and collect offline."""
    use_language(lang)
    if out.suffix.lower() != ".xlsx":
        fail(_("OUT.xlsx: '%(name)s' must end in .xlsx (ODK Central and KoboToolbox take XLSForms as .xlsx).")
             % {"name": out.name})
    if out.is_dir():
        fail(_("OUT.xlsx: %(file)s is a folder; name the file to write.") % {"file": out})
    try:
        write_xlsform(out)
    except OSError as exc:
        fail(_("OUT.xlsx: cannot write %(file)s: %(reason)s") % {"file": out, "reason": exc.strerror or exc})
    questions = ngettext("%(num)s question", "%(num)s questions", len(QUESTIONS)) % {"num": len(QUESTIONS)}
    typer.echo(_("Wrote the intake form (%(form)s, version %(version)s, %(questions)s) to %(file)s.")
               % {"form": FORM_ID, "version": FORM_VERSION, "questions": questions, "file": out})


def _problem(p: Problem) -> str:
    """One problem of an export: as the services wrote it in English, located and in the reader's words else."""
    if translator().lang == "en":
        return str(p)
    return problem_line(p).replace("submission ", _("submission") + " ", 1)


def _problems_text(problems: list[Problem]) -> str:
    lines = [ngettext("the export was not imported; nothing was queued (%(num)s problem(s)):",
                      "the export was not imported; nothing was queued (%(num)s problem(s)):", len(problems))
             % {"num": len(problems)}]
    lines += [f"  - {_problem(p)}" for p in problems[:MAX_SHOWN]]
    return "\n".join(lines)


def import_export(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="ODK Central's or KoboToolbox's export of the "
                                           "form's submissions: CSV or JSON.")],
    check: Annotated[bool, typer.Option("--check", help="Read and check the export, list what would be "
                                        "queued, and queue nothing.")] = False,
    intake_db: IntakeDbOption = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Bring accounts collected offline into the intake triage queue, each sealed to the intake public key as
    the web form's are; prints each one's receipt code, for the field team to give to the person."""
    use_language(lang)
    read = read_export(source)
    problems = field_collection.check(read.submissions, read.problems)
    if problems:
        fail(_problems_text(problems))
    if check:
        _list(read.submissions, fmt)
        return
    target = Settings.from_env(intake_db=intake_db).intake_target()
    if target is None:
        fail(_("Name the intake database: pass --intake-db or set DUTYCARE_INTAKE_DB."))
    queue, side = open_field_queue(target, utc_now().date())
    try:
        outcome = field_collection.queue_all(queue, read.submissions)
    finally:
        side.close()
    _report(outcome, queue.codes, fmt)


def _report(outcome: field_collection.Queued | field_collection.NotQueued, codes: dict[str, str],
            fmt: OutputFormat) -> None:
    queued = outcome.queued
    if fmt is OutputFormat.JSON:
        emit_json({"queued": [{"instance": i, "submission": q, "receipt": codes.get(q)} for i, q in queued],
                   "repeats": outcome.repeats if isinstance(outcome, field_collection.Queued) else [],
                   "problems": [str(p) for p in outcome.problems]
                   if isinstance(outcome, field_collection.NotQueued) else []})
    else:
        typer.echo(ngettext("%(num)s submission(s) queued for triage. Receipt codes (each shown once; give it "
                            "only to the person it belongs to):",
                            "%(num)s submission(s) queued for triage. Receipt codes (each shown once; give it "
                            "only to the person it belongs to):", len(queued)) % {"num": len(queued)})
        for instance, queue_id in queued:
            typer.echo(f"  {instance}  {queue_id}  {codes.get(queue_id, '')}")
        if isinstance(outcome, field_collection.Queued) and outcome.repeats:
            typer.echo(ngettext("%(num)s repeated submission id(s) were queued once.",
                                "%(num)s repeated submission id(s) were queued once.", len(outcome.repeats))
                       % {"num": len(outcome.repeats)})
    if isinstance(outcome, field_collection.NotQueued):
        fail("; ".join(_problem(p) for p in outcome.problems))


def _list(read_submissions: list[FieldSubmission], fmt: OutputFormat) -> None:
    if fmt is OutputFormat.JSON:
        emit_json({"submissions": [{"instance": s.instance_id, "submitted_on": s.submitted_on, "lang": s.lang,
                                    "facts": sorted(s.facts), "contact": bool(s.contact),
                                    "attachments": list(s.attachments)} for s in read_submissions]})
        return
    typer.echo(ngettext("%(num)s submission(s) can be queued:", "%(num)s submission(s) can be queued:",
                        len(read_submissions)) % {"num": len(read_submissions)})
    tr = translator()
    for s in read_submissions:
        day = (s.submitted_on or "") if tr.lang == "en" or not s.submitted_on else tr.date(
            date.fromisoformat(s.submitted_on))
        size = f"{len(s.account):,} characters" if tr.lang == "en" else ngettext(
            "%(num)s character", "%(num)s characters", len(s.account)) % {"num": tr.number(len(s.account))}
        extra = ", ".join(x for x in (day, size, _("contact given") if s.contact else "", *s.attachments) if x)
        typer.echo(f"  {s.instance_id}  ({extra})")


def register(app: typer.Typer) -> None:
    """Add the field-collection commands to the intake command group."""
    app.command("xlsform")(xlsform)
    app.command("import")(import_export)
