"""Small stand-ins for the import's ports: a list of records as a source, a store that only answers lookups."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dutycare.domain.errors import Problem
from dutycare.service_layer.bulk_import import RawRecord


def rec(kind: str, line: int, data: dict[str, Any]) -> RawRecord:
    """A raw record located at a line."""
    return RawRecord(kind, data, f"line {line}")


class ListSource:
    """Records held in a list."""

    def __init__(self, items: Iterable[RawRecord | Problem]) -> None:
        self.list = list(items)

    def items(self) -> Iterator[RawRecord | Problem]:
        """Each item."""
        return iter(self.list)

    def progress(self) -> tuple[int, int]:
        """Unknown."""
        return 0, 0

    def digest(self) -> str | None:
        """Not applicable."""
        return None


@dataclass
class LookupStore:
    """Answers the checker's lookups from dictionaries; writes nothing."""

    refuses_taken_ids = False

    ids: dict[str, set[str]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    gone: dict[str, set[str]] = field(default_factory=dict)

    def is_empty(self, kind: str) -> bool:
        """Whether nothing of this kind exists."""
        return not self.ids.get(kind)

    def existing(self, kind: str, ids: Iterable[str]) -> set[str]:
        """The given ids that exist."""
        return set(ids) & self.ids.get(kind, set())

    def event_types(self, ids: Iterable[str]) -> dict[str, str]:
        """Types of existing events."""
        return {i: self.types[i] for i in ids if i in self.types}

    def withdrawn_kinds(self) -> set[str]:
        """The kinds with withdrawn records."""
        return {kind for kind, ids in self.gone.items() if ids}

    def withdrawn(self, kind: str, ids: Iterable[str]) -> set[str]:
        """The given ids of withdrawn records."""
        return set(ids) & self.gone.get(kind, set())


PERSON = {"id": "p-1", "pseudonym": "Максим"}
INSTITUTION = {"id": "i-1", "name": "Госпиталь", "type": "hospital"}
SOURCE = {"id": "s-1", "kind": "own_account", "title": "Рассказ", "reliability": "C"}
CASE = {"id": "c-1", "person": "p-1", "title": "Отказ в лечении"}


def event(eid: str, etype: str = "injury", **extra: Any) -> dict[str, Any]:
    """A valid event of case c-1 citing s-1 (an injury unless told otherwise)."""
    details = {"injury": "осколок"} if etype == "injury" else {}
    return {"id": eid, "type": etype, "date": "2024-03", "cases": ["c-1"], "sources": [{"source": "s-1"}],
            "details": details, **extra}


def basics() -> list[RawRecord]:
    """A person, an institution, a source and a case, on lines 1–4."""
    return [rec("person", 1, PERSON), rec("institution", 2, INSTITUTION), rec("source", 3, SOURCE),
            rec("case", 4, CASE)]
