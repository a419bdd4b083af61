"""The spreadsheet layout (CSV and XLSX): one row per event, with columns for its case, person, institution and
source, and one column per event detail.

A row creates the person, institution, source and case it names the first time their columns are filled; a later
row naming the same id may leave those columns empty or repeat the same values; a different value is a problem at
that cell. Ids of records already in the database are named with their other columns left empty.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from dutycare.domain.errors import Problem
from dutycare.domain.events import EVENT_SPECS, FieldKind
from dutycare.domain.limits import shown
from dutycare.service_layer.bulk_import import RawRecord


@dataclass(frozen=True)
class Column:
    """One column: which record and field it fills, how its cells are read, and an example value."""

    name: str
    kind: str
    field: str
    cell: str = "text"  # text | int | bool | list
    required: bool = False
    example: str = ""
    help: str = ""


def _detail_columns() -> list[Column]:
    cells = {FieldKind.INTEGER: "int", FieldKind.BOOLEAN: "bool", FieldKind.PEOPLE: "list",
             FieldKind.INSTITUTIONS: "list"}
    seen: dict[str, Column] = {}
    for spec in EVENT_SPECS.values():
        for f in spec.fields:
            if f.name not in seen:
                types = [s.type.value for s in EVENT_SPECS.values() if s.field(f.name) is not None]
                seen[f.name] = Column(f.name, "event", f"details.{f.name}", cells.get(f.kind, "text"),
                                      help="detail of " + ", ".join(types))
    return list(seen.values())


EXAMPLE_DETAILS = {"treatment": "удаление осколка", "reason": "сослались на устное указание сверху",
                   "reason_kind": "unwritten_directive", "refused_by": "начальник отделения"}
COLUMNS: tuple[Column, ...] = (
    Column("event_id", "event", "id", required=True, example="ev-1", help="a new, unique id for the event"),
    Column("event_type", "event", "type", required=True, example="treatment_refused", help="see event-types.md"),
    Column("event_date", "event", "date", required=True, example="2024-03",
           help="YYYY-MM-DD, YYYY-MM, YYYY, a range A/B, ~ for approximate"),
    Column("case_id", "event", "cases", required=True, example="case-1", help="the case the event belongs to"),
    Column("other_cases", "event", "cases", "list", help="more case ids, separated by ;"),
    Column("institution_id", "event", "institution", example="i-hospital-1", help="where it happened"),
    Column("event_summary", "event", "summary", example="Отказали в операции", help="encrypted"),
    Column("source_id", "event", "sources", required=True, example="s-1", help="the source the event cites"),
    Column("source_locator", "event", "sources.locator", example="с. 2", help="page or time code in the source"),
    Column("other_sources", "event", "sources", "list", help="more source ids, separated by ;"),
    *_detail_columns(),
    Column("case_title", "case", "title", example="Осколок не удалён", help="required for a new case; encrypted"),
    Column("case_status", "case", "status", example="open", help="open, escalated, resolved, closed"),
    Column("case_region", "case", "region", example="Волгоградская область"),
    Column("case_opened", "case", "opened", example="2024-04"),
    Column("case_summary", "case", "summary", help="encrypted"),
    Column("person_id", "person", "id", example="p-1", help="the person the case is about"),
    Column("person_pseudonym", "person", "pseudonym", example="Максим", help="required for a new person; encrypted"),
    Column("person_role", "person", "role", example="affected"),
    Column("person_service_status", "person", "service_status", example="contract"),
    Column("person_age", "person", "age", "int", example="21"),
    Column("person_age_as_of", "person", "age_as_of", example="2024-03"),
    Column("person_birth_year", "person", "birth_year", "int"),
    Column("person_full_name", "person", "full_name", help="encrypted"),
    Column("person_birth_date", "person", "birth_date", help="encrypted"),
    Column("person_contacts", "person", "contacts", help="encrypted"),
    Column("person_notes", "person", "notes", help="encrypted"),
    Column("institution_name", "institution", "name", example="Военный госпиталь (г. Волгоград)",
           help="required for a new institution"),
    Column("institution_type", "institution", "type", example="hospital"),
    Column("institution_region", "institution", "region", example="Волгоградская область"),
    Column("institution_parent", "institution", "parent", help="id of the institution it belongs to"),
    Column("institution_jurisdiction", "institution", "jurisdiction", example="RU"),
    Column("source_kind", "source", "kind", example="own_account", help="required for a new source"),
    Column("source_title", "source", "title", example="Рассказ Максима", help="required for a new source; encrypted"),
    Column("source_reliability", "source", "reliability", example="C", help="A (best) … F (cannot be judged)"),
    Column("source_date", "source", "date", example="2024-04"),
    Column("source_publisher", "source", "publisher"),
    Column("source_url", "source", "url", help="encrypted"),
    Column("source_notes", "source", "notes", help="encrypted"),
)
BY_NAME = {c.name: c for c in COLUMNS}
MAX_COLUMNS = 256  # the layout has fewer than 100 columns; wider headers are not this layout
MAX_NAME_GUESSED = 40  # an unknown header is compared with the known names by its first characters only
ENTITY_IDS = {"institution": "institution_id", "person": "person_id", "source": "source_id", "case": "case_id"}
ENTITY_ORDER = ("institution", "person", "source", "case")  # parents before the records that name them
_TRUE = {"true", "yes", "y", "1", "да", "д", "+", "x"}
_FALSE = {"false", "no", "n", "0", "нет", "н", "-"}


EXAMPLE_MARK = "EXAMPLE-ПРИМЕР"
"""The event id of a template's example row: a row holding it is refused, so the example never enters a record."""
EXAMPLE_REFUSED = ("is the template's example row (event_id EXAMPLE-ПРИМЕР); delete it, or replace it with a real "
                   "event and a new id")


def example_row() -> list[str]:
    """One filled-in row, in column order (for templates), its event id marking it as the example it is."""
    return [EXAMPLE_MARK if c.name == "event_id" else EXAMPLE_DETAILS.get(c.name, c.example) for c in COLUMNS]


def normalise_header(cell: Any) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and hyphens as underscores."""
    return str(cell or "").strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def column_letter(index: int) -> str:
    """Spreadsheet letters for a 0-based column index: A … Z, AA …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def read_cell(column: Column, value: Any) -> Any:
    """A cell as the interchange field wants it; a cell that does not fit stays text, for validation to name."""
    if isinstance(value, bool) and column.cell == "bool":
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and column.cell == "int":
        return int(value) if float(value).is_integer() else value
    text = _text(value)
    if text is None:
        return None
    if column.cell == "int":
        return int(text) if text.lstrip("-").isdigit() else text
    if column.cell == "bool":
        low = text.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if column.cell == "list":
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


class RowReader:
    """Turns spreadsheet rows into records, remembering which rows defined which records."""

    def __init__(self, header: Sequence[Any], where: str) -> None:
        self.where = where
        self.names = [normalise_header(h) for h in header]
        while self.names and not self.names[-1]:
            self.names.pop()
        self.index = {name: i for i, name in enumerate(self.names) if name in BY_NAME}
        self.defined: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {k: {} for k in ENTITY_ORDER}

    def header_problems(self) -> list[Problem]:
        """Unknown, repeated and missing columns (any of them stops the reading)."""
        if len(self.names) > MAX_COLUMNS:  # refused before any per-column work, which a huge header would make slow
            return [Problem(f"{self.where}row 1", "", f"has {len(self.names)} columns; the spreadsheet layout has at "
                                                     f"most {MAX_COLUMNS}")]
        out = []
        seen: set[str] = set()
        for i, name in enumerate(self.names):
            where = f"{self.where}row 1, column {column_letter(i)}"
            if not name:
                out.append(Problem(where, "", "has no name; every column needs one"))
            elif name not in BY_NAME:
                close = difflib.get_close_matches(name[:MAX_NAME_GUESSED], BY_NAME, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else "; 'dutycare import --template csv' lists them"
                named = shown(name[:MAX_NAME_GUESSED])
                out.append(Problem(where, "", f"'{named}' is not a column dutycare knows{hint}"))
            elif name in seen:
                out.append(Problem(where, "", f"'{name}' appears twice"))
            seen.add(name)
        missing = [c.name for c in COLUMNS if c.required and c.name not in self.index]
        if missing:
            out.append(Problem(f"{self.where}row 1", "", f"the header lacks the column(s) {', '.join(missing)}"))
        return out

    def cell_location(self, row: int, name: str) -> str:
        """Where a column's cell of a row is, for messages."""
        i = self.index.get(name)
        return f"{self.where}row {row}, column {column_letter(i)} ({name})" if i is not None else \
            f"{self.where}row {row} (no column {name})"

    def records(self, row: int, cells: Sequence[Any]) -> Iterator[RawRecord | Problem]:
        """The new records a row defines, then its event; or problems with its cells."""
        if any(_text(c) is not None for c in cells[len(self.names):]):
            yield Problem(f"{self.where}row {row}", "", f"has cells beyond the {len(self.names)} named in the header")
            return
        values = {name: read_cell(BY_NAME[name], cells[i]) for name, i in self.index.items() if i < len(cells)}
        if values.get("event_id") == EXAMPLE_MARK:
            yield Problem(f"{self.where}row {row}", "", EXAMPLE_REFUSED)
            return
        for kind in ENTITY_ORDER:
            yield from self._entity(row, kind, values)
        yield self._event(row, values)

    def _entity(self, row: int, kind: str, values: dict[str, Any]) -> Iterator[RawRecord | Problem]:
        rid = values.get(ENTITY_IDS[kind])
        if not isinstance(rid, str):
            return
        fields = {c.field: values.get(c.name) for c in COLUMNS if c.kind == kind and c.field != "id"
                  and c.name in self.index}
        if kind == "case":
            fields["person"] = values.get("person_id")
        given = {f: v for f, v in fields.items() if v is not None}
        earlier = self.defined[kind].get(rid)
        if earlier is not None:
            yield from self._conflicts(row, kind, rid, earlier, given)
            return
        if not given or (kind == "case" and set(given) == {"person"}):
            return  # only named: a record defined in another row or already in the database
        self.defined[kind][rid] = (row, fields)
        yield RawRecord(kind, {"id": rid, **given}, f"{self.where}row {row}", self._relocator(row, kind))

    def _conflicts(self, row: int, kind: str, rid: str, earlier: tuple[int, dict[str, Any]],
                   given: dict[str, Any]) -> Iterator[Problem]:
        first_row, first = earlier
        for f, value in given.items():
            if value != first.get(f):
                before = first.get(f)
                said = f"'{_shown(before)}'" if before is not None else "nothing"
                yield Problem(self.cell_location(row, _column_of(kind, f)), "",
                              f"says '{_shown(value)}' but row {first_row} gave {said} for {kind} {rid}")

    def _event(self, row: int, v: dict[str, Any]) -> RawRecord:
        data: dict[str, Any] = {"id": v.get("event_id"), "type": v.get("event_type"), "date": v.get("event_date")}
        data["cases"] = [c for c in (v.get("case_id"), *(v.get("other_cases") or [])) if c is not None]
        if v.get("institution_id") is not None:
            data["institution"] = v["institution_id"]
        if v.get("event_summary") is not None:
            data["summary"] = v["event_summary"]
        first: dict[str, Any] = {"source": v.get("source_id")}
        if v.get("source_locator") is not None:
            first["locator"] = v["source_locator"]
        data["sources"] = [first, *({"source": s} for s in v.get("other_sources") or [])]
        details = {c.name: v[c.name] for c in COLUMNS if c.field.startswith("details.") and v.get(c.name) is not None}
        if details:
            data["details"] = details
        return RawRecord("event", {k: x for k, x in data.items() if x is not None}, f"{self.where}row {row}",
                         self._relocator(row, "event"))

    def _relocator(self, row: int, kind: str) -> Any:
        return lambda field: self.cell_location(row, _column_of(kind, field))


def _shown(value: Any) -> str:
    return "; ".join(value) if isinstance(value, list) else str(value)


def _column_of(kind: str, field: str) -> str:
    """The column a record's field comes from (for problems the validation names by field)."""
    if kind == "event":
        if field.startswith("details."):
            return field.split(".", 1)[1]
        if field.startswith("sources[") and not field.startswith("sources[0]"):
            return "other_sources"
        if field.startswith("sources"):
            return "source_locator" if field.endswith("locator") else "source_id"
        return {"id": "event_id", "type": "event_type", "date": "event_date", "cases": "case_id",
                "institution": "institution_id", "summary": "event_summary"}.get(field, "event_id")
    if kind == "case" and field == "person":
        return "person_id"
    if field in ("id", ""):
        return ENTITY_IDS[kind]
    return f"{kind}_{field}"
