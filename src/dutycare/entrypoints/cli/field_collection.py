"""`dutycare intake xlsform` and `dutycare intake import`: the intake form for offline collection, and its
submissions brought into the triage queue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dutycare.adapters.importers.odk_export import read_export
from dutycare.adapters.xlsform import write_xlsform
from dutycare.domain.errors import Problem
from dutycare.domain.intake_form import FORM_ID, FORM_VERSION, QUESTIONS
from dutycare.entrypoints.cli.common import FormatOption, OutputFormat, emit_json, fail
from dutycare.service_layer import field_collection

MAX_SHOWN = 50


def xlsform(
    out: Annotated[Path, typer.Argument(metavar="OUT.xlsx", help="Where to write the form (an .xlsx workbook).")],
) -> None:
    """Write the intake form as an XLSForm, to publish on ODK Central or KoboToolbox and collect offline."""
    if out.suffix.lower() != ".xlsx":
        fail(f"OUT.xlsx: '{out.name}' must end in .xlsx (ODK Central and KoboToolbox take XLSForms as .xlsx).")
    if out.is_dir():
        fail(f"OUT.xlsx: {out} is a folder; name the file to write.")
    try:
        write_xlsform(out)
    except OSError as exc:
        fail(f"OUT.xlsx: cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"Wrote the intake form ({FORM_ID}, version {FORM_VERSION}, {len(QUESTIONS)} questions) to {out}.")


def _problems_text(problems: list[Problem]) -> str:
    lines = [f"the export was not imported; nothing was queued ({len(problems)} problem(s)):"]
    lines += [f"  - {p}" for p in problems[:MAX_SHOWN]]
    return "\n".join(lines)


def import_export(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="ODK Central's or KoboToolbox's export of the "
                                           "form's submissions: CSV or JSON.")],
    check: Annotated[bool, typer.Option("--check", help="Read and check the export, list what would be "
                                        "queued, and queue nothing.")] = False,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Bring accounts collected offline into the intake triage queue (sealed as the web form's are)."""
    read = read_export(source)
    problems = field_collection.check(read.submissions, read.problems)
    if problems:
        fail(_problems_text(problems))
    if not check:
        fail("the intake queue is not set up in this version; run with --check to verify the export.")
    if fmt is OutputFormat.JSON:
        emit_json({"submissions": [{"instance": s.instance_id, "submitted_on": s.submitted_on, "lang": s.lang,
                                    "facts": sorted(s.facts), "contact": bool(s.contact),
                                    "attachments": list(s.attachments)} for s in read.submissions]})
        return
    typer.echo(f"{len(read.submissions)} submission(s) can be queued:")
    for s in read.submissions:
        extra = ", ".join(x for x in (s.submitted_on or "", f"{len(s.account):,} characters",
                                      "contact given" if s.contact else "", *s.attachments) if x)
        typer.echo(f"  {s.instance_id}  ({extra})")


def register(app: typer.Typer) -> None:
    """Add the field-collection commands to the intake command group."""
    app.command("xlsform")(xlsform)
    app.command("import")(import_export)
