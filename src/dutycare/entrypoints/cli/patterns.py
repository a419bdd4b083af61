"""The patterns command: protected tables across cases, as text, JSON or CSV."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dutycare.entrypoints.cli.common import (
    ActorOption,
    DbOption,
    KeyFileOption,
    LanguageOption,
    PassphraseOption,
    acting,
    emit_json,
    fail,
    staff_uow,
)
from dutycare.entrypoints.cli.speech import _, label, ngettext, quoted, translator, use_language
from dutycare.service_layer import patterns as service
from dutycare.service_layer.patterns import PatternRequest, PatternTable
from dutycare.service_layer.queries import CaseQuery

_PERIOD = re.compile(r"^\d{4}(?:-\d{2}|-Q\d)?$")


class TableFormat(StrEnum):
    """How the patterns command prints a table."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(_("%(option)s must be a date such as 2024-03-01, not %(value)s") % {"option": option,
                                                                                 "value": quoted(text)})


def _cell(value: object, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if digits else f"{value:.3g}"
    return str(value)


def _group(key: str | None, name: str | None) -> str:
    """A row's name: the institution's or rule's name; a month, quarter or year as the language writes it."""
    if not name:
        return key or _("all cases")
    if translator().lang != "en" and name == key and _PERIOD.match(name):
        year, _dash, rest = name.partition("-")
        if rest.startswith("Q"):
            return _("Q%(quarter)s %(year)s") % {"quarter": rest[1:], "year": year}
        return translator().partial_date(name)
    return name


def _text(table: PatternTable) -> str:
    tr = translator()
    if table.too_few:
        return (_("Fewer than %(n)s cases match these filters: nothing can be shown without risking that someone is "
                  "recognised. Widen the filters.") % {"n": tr.number(table.threshold)})
    if not table.possible:
        return _("These counts cannot be shown without revealing a small cell; widen the filters.")
    head = (_("group"), _("cases"), _("with"), _("rate"), _("95% interval"), _("q (country)"), _("flag"))
    lines = [f"{head[0]:<48} {head[1]:>6} {head[2]:>6} {head[3]:>6} {head[4]:>15} {head[5]:>11} {head[6]}"]
    for r in [*table.rows, *([table.total] if table.total else [])]:
        interval = f"{r.low:.2f}–{r.high:.2f}" if r.low is not None and r.high is not None else "—"
        flag = (label(f"flag_{r.flag}") if tr.lang != "en" else r.flag) if r.flag else ""
        lines.append(f"{_group(r.key, r.label)[:48]:<48} {_cell(r.cases):>6} {_cell(r.with_measure):>6} "
                     f"{_cell(r.rate, 2):>6} {interval:>15} {_cell(r.q_country):>11} {flag}")
    lines.append(_("— suppressed (fewer than %(n)s, or would reveal such a count): %(cells)s. Rates: Wilson 95 %% "
                   "intervals; q: Fisher's exact test against the rest of the country, Benjamini–Hochberg across "
                   "%(tested)s.") % {
        "n": table.threshold,
        "cells": ngettext("%(num)s cell(s)", "%(num)s cell(s)", table.suppressed_cells)
        % {"num": table.suppressed_cells},
        "tested": ngettext("%(num)s institution(s) tested", "%(num)s institution(s) tested", table.tested)
        % {"num": table.tested}})
    return "\n".join(lines)


def patterns(
    by: Annotated[str, typer.Option("--by", help="Rows: facility, commission, region, month, quarter, year or "
                                    "rule.")] = "facility",
    measure: Annotated[str, typer.Option("--measure", help="What is counted: 'refusal' (a refused treatment) or a "
                                         "rule id such as R1.")] = service.REFUSAL,
    status: Annotated[str | None, typer.Option("--status", help="Only cases of this status.",
                                               show_default=False)] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only cases of this region.",
                                               show_default=False)] = None,
    institution: Annotated[str | None, typer.Option("--institution", help="Only cases with an event at this "
                                                    "institution (its id).", show_default=False)] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="Only cases with a finding of this rule.",
                                             show_default=False)] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Only cases with an event on or after this day.",
                                                  show_default=False)] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Only cases with an event on or before this day.",
                                                show_default=False)] = None,
    text: Annotated[str | None, typer.Option("--text", help="Only cases matching this search.",
                                             show_default=False)] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="text, json or csv.")] = TableFormat.TEXT,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of standard output.",
                                             show_default=False)] = None,
    db: DbOption = None,
    key_file: KeyFileOption = None,
    passphrase: PassphraseOption = None,
    actor: ActorOption = None,
    lang: LanguageOption = None,
) -> None:
    """Counts and rates across the cases you may see, with intervals and tests; small counts are suppressed."""
    use_language(lang)
    query = CaseQuery(status, region, institution, rule, _day(date_from, "--from"), _day(date_to, "--to"), text)
    with acting(db, key_file, passphrase, actor=actor) as (dc, user):
        table = service.pattern_table(staff_uow(dc), user, PatternRequest(query, by, measure),
                                      dc.settings.disclosure_threshold)
    if fmt is TableFormat.JSON and out is None:
        emit_json(service.table_to_dict(table))
        return
    if fmt is TableFormat.JSON:
        body = json.dumps(service.table_to_dict(table), ensure_ascii=False, indent=2) + "\n"
    else:
        body = service.table_to_csv(table) if fmt is TableFormat.CSV else _text(table) + "\n"
    if out is None:
        sys.stdout.write(body)
    else:
        out.write_text(body, encoding="utf-8")
        typer.echo(_("Wrote %(file)s.") % {"file": out}, err=True)
