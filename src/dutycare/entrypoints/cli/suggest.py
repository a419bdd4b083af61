"""`dutycare suggest`: facts suggested from a free-text account, each with the words it came from."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from dutycare.bootstrap import fact_suggester
from dutycare.domain.suggested_facts import Suggestion
from dutycare.entrypoints.cli.common import FormatOption, LanguageOption, OutputFormat, emit_json, fail
from dutycare.entrypoints.cli.speech import translator, use_language
from dutycare.entrypoints.suggestion_text import describe

MAX_ACCOUNT_BYTES = 1_000_000


def _read(source: str) -> str:
    """The account's text from a file or standard input ('-'), as UTF-8."""
    try:
        raw = sys.stdin.buffer.read(MAX_ACCOUNT_BYTES + 1) if source == "-" else _read_file(Path(source))
    except OSError as exc:
        fail(f"FILE: cannot read {source}: {exc.strerror or exc}")
    if len(raw) > MAX_ACCOUNT_BYTES:
        fail(f"FILE: {source} is longer than {MAX_ACCOUNT_BYTES:,} bytes; split the account into parts.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(f"FILE: {source} is not UTF-8 text; save it as UTF-8 and try again.")


def _read_file(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(MAX_ACCOUNT_BYTES + 1)


def _known(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--known-date: '{text}' is not a day; use YYYY-MM-DD (the day the account was given).")


def _json(s: Suggestion, lang: str) -> dict[str, Any]:
    return {"kind": s.kind, "value": s.value, "start": s.start, "end": s.end, "quote": s.quote,
            "event_type": s.event_type.value if s.event_type else None, "details": s.details(),
            "text": describe(s, lang)}


def suggest(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="A text file with the account (UTF-8), or - to "
                                          "read standard input.")],
    known_date: Annotated[str | None, typer.Option("--known-date", help="The day the account was given "
                                                   "(YYYY-MM-DD): «в декабре» and «три месяца назад» are read "
                                                   "against it.", show_default=False)] = None,
    lang: LanguageOption = None,
    fmt: FormatOption = OutputFormat.TEXT,
) -> None:
    """Suggest facts (people, dates, institutions, injuries, decisions, refusals, …) from a free-text account.

    Nothing is stored: each suggestion shows the words it came from, for a person to accept or reject.
    """
    use_language(lang)
    lang = translator().lang
    text = _read(source)
    when = _known(known_date)
    found = fact_suggester().suggest(text, when)
    if fmt is OutputFormat.JSON:
        emit_json([_json(s, lang) for s in found])
        return
    if not found:
        typer.echo("Ничего не найдено." if lang == "ru" else "Nothing found.")
    for s in found:
        typer.echo(f"{describe(s, lang)}\n    «{s.quote}» [{s.start}–{s.end}]")
