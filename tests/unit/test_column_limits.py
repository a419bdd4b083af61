"""Every sized column the interchange parser fills holds whatever the parser accepts (limits from domain.limits)."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import String, Table

from dutycare.adapters.storage import tables as t
from dutycare.domain import vocabulary as v
from dutycare.domain.events import EventType
from dutycare.domain.limits import MAX_DATE_LENGTH, MAX_ID_LENGTH, MAX_JURISDICTION_LENGTH, MAX_REGION_LENGTH

RECORD_TABLES = (t.people, t.institutions, t.sources, t.cases, t.events, t.event_cases, t.event_sources)


def _length(table: Table, column: str) -> int | None:
    kind = table.c[column].type
    return kind.length if isinstance(kind, String) else None


def test_text_columns_are_sized_by_the_domain_limits() -> None:
    assert _length(t.institutions, "region") == _length(t.cases, "region") == MAX_REGION_LENGTH
    assert _length(t.institutions, "jurisdiction") == MAX_JURISDICTION_LENGTH
    for table, column in ((t.people, "age_as_of"), (t.sources, "date"), (t.cases, "opened"), (t.events, "date")):
        assert _length(table, column) == MAX_DATE_LENGTH, f"{table.name}.{column}"
    ids = [(table, c.name) for table in RECORD_TABLES for c in table.c if c.name == "id" or c.name.endswith("_id")]
    assert len(ids) >= 10
    for table, column in ids:
        assert _length(table, column) == MAX_ID_LENGTH, f"{table.name}.{column}"


@pytest.mark.parametrize(("table", "column", "vocabulary"), [
    (t.people, "role", v.PersonRole), (t.people, "service_status", v.ServiceStatus),
    (t.institutions, "type", v.InstitutionType), (t.sources, "kind", v.SourceKind),
    (t.sources, "reliability", v.Reliability), (t.cases, "status", v.CaseStatus), (t.events, "type", EventType),
])
def test_every_value_of_a_vocabulary_fits_its_column(table: Table, column: str, vocabulary: type[StrEnum]) -> None:
    length = _length(table, column)
    assert length is not None and all(len(m.value) <= length for m in vocabulary), f"{table.name}.{column}"
