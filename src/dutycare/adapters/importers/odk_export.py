"""Submissions collected offline with the intake XLSForm, read from ODK Central's or KoboToolbox's export.

CSV: ODK Central's (comma, group names joined with '-') and KoboToolbox's (comma or semicolon, groups joined
with '/'), with field names as headers (in KoboToolbox, «XML values and headers»). JSON: ODK Central's OData
feed (``{"value": [...]}``), KoboToolbox's API (``{"results": [...]}``) or a plain list of submissions.
Media files are not in these exports: a photo is listed by its file name, for the coordinator to fetch.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dutycare.adapters.importers.csv_file import detect_encoding, detect_separator
from dutycare.domain.errors import Problem
from dutycare.domain.intake_form import (
    ACCOUNT_CHARS,
    CONTACT_CHARS,
    DEFAULT_LANGUAGE,
    FACT_QUESTIONS,
    FIELD_CHARS,
    LANGUAGES,
    FieldSubmission,
)
from dutycare.domain.limits import text_fault

MAX_FILE_BYTES = 64 << 20
MAX_SUBMISSIONS = 10_000
MAX_PROBLEMS = 100
INSTANCE_KEYS = ("meta-instanceid", "meta/instanceid", "instanceid", "key", "_uuid", "__id")
DAY_KEYS = ("submissiondate", "_submission_time", "__system/submissiondate", "end", "today")
LANG_KEYS = ("lang", "language", "__system/formlanguage")
LIMITS = {"account": ACCOUNT_CHARS, "contact": CONTACT_CHARS, **{name: FIELD_CHARS for name in FACT_QUESTIONS}}


@dataclass(frozen=True)
class ExportRead:
    """What an export held: the submissions, and every problem found (nothing is taken when there is one)."""

    submissions: list[FieldSubmission]
    problems: list[Problem]


def _flatten(row: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """A JSON submission's answers with their group path joined by '/' (``__system/submissionDate``)."""
    for key, value in row.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path + "/")
        else:
            yield path, value


def _short(name: str) -> str:
    """A column's question name without its group path (``group-account`` or ``group/account`` → account)."""
    last = name.replace("-", "/").rsplit("/", 1)[-1]
    return last.strip().lower()


def _normalise(row: Mapping[str, Any]) -> dict[str, str]:
    """Answers by lower-case full path and by question name (the last part of the path)."""
    out: dict[str, str] = {}
    for key, value in row.items():
        text = "" if value is None else str(value)
        out[key.strip().lower()] = text
        out.setdefault(_short(key), text)
    return out


def _pick(row: Mapping[str, str], keys: tuple[str, ...]) -> str:
    return next((row[k] for k in keys if row.get(k)), "")


def _submission(row: Mapping[str, str], where: str, problems: list[Problem]) -> FieldSubmission | None:
    before = len(problems)
    instance = _pick(row, INSTANCE_KEYS).strip()
    if not instance:
        problems.append(Problem(where, "instanceID", "has no submission id (meta/instanceID, KEY or _uuid)"))
    account = row.get("account", "").strip()
    if not account:
        problems.append(Problem(where, "account", "is empty: every submission needs the account itself"))
    for name, limit in LIMITS.items():
        value = row.get(name, "")
        if len(value) > limit:
            problems.append(Problem(where, name, f"is {len(value):,} characters long; at most {limit:,} are kept"))
        elif (fault := text_fault(value)) is not None:
            problems.append(Problem(where, name, fault))
    if len(problems) > before:
        return None
    day = _pick(row, DAY_KEYS)[:10]
    lang = _pick(row, LANG_KEYS).strip().lower()[:2]
    facts = {name: row[name].strip() for name in FACT_QUESTIONS if row.get(name, "").strip()}
    photo = row.get("photo", "").strip()
    return FieldSubmission(instance, day if _is_day(day) else None, lang if lang in LANGUAGES else DEFAULT_LANGUAGE,
                           account, facts, row.get("contact", "").strip(), (photo,) if photo else ())


def _is_day(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit()


def _rows_of_json(data: Any) -> list[Any] | None:
    if isinstance(data, Mapping):
        data = data.get("value", data.get("results"))
    return data if isinstance(data, list) else None


def _json_rows(raw: bytes) -> tuple[list[dict[str, str]], list[Problem]]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [Problem("file", "", f"is not JSON in UTF-8 ({exc})")]
    rows = _rows_of_json(data)
    if rows is None:
        return [], [Problem("file", "", "holds no list of submissions (ODK Central's 'value' or KoboToolbox's "
                            "'results')")]
    out, problems = [], []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.append(Problem(f"submission {n}", "", "is not an object of answers"))
            continue
        out.append(_normalise(dict(_flatten(row))))
    return out, problems


def _csv_rows(raw: bytes) -> tuple[list[dict[str, str]], list[Problem]]:
    encoding = detect_encoding(raw[:1 << 16])
    if encoding is None:
        return [], [Problem("file", "", "is in an encoding that cannot be told; export it again as UTF-8")]
    text = raw.decode(encoding, errors="strict") if encoding != "utf-8" else raw.decode("utf-8-sig", "replace")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=detect_separator(first))
    names = [_short(n) for n in (reader.fieldnames or [])]
    if "account" not in names:
        return [], [Problem("file", "account", "no column is named 'account': export with the form's field "
                            "names as headers (in KoboToolbox: 'XML values and headers')")]
    return [_normalise({k or "": v or "" for k, v in row.items()}) for row in reader], []


def read_export(path: Path) -> ExportRead:
    """Every submission in an ODK or KoboToolbox export (CSV or JSON), or the problems that stop the import."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ExportRead([], [Problem("file", "", f"is {size:,} bytes; at most {MAX_FILE_BYTES:,} are read")])
        raw = path.read_bytes()
    except OSError as exc:
        return ExportRead([], [Problem("file", "", f"cannot be read: {exc.strerror or exc}")])
    is_json = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
    rows, problems = _json_rows(raw) if is_json else _csv_rows(raw)
    if len(rows) > MAX_SUBMISSIONS:
        return ExportRead([], [Problem("file", "", f"holds {len(rows):,} submissions; import at most "
                                       f"{MAX_SUBMISSIONS:,} at a time")])
    found: list[FieldSubmission] = []
    for n, row in enumerate(rows, start=1):
        sub = _submission(row, f"submission {n}", problems)
        if sub is not None:
            found.append(sub)
    return ExportRead(found, problems[:MAX_PROBLEMS])
