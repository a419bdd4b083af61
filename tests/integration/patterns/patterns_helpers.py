"""What the pattern and publication tests share: the data set's seed and size, its users, and how an attacker
reads a published table."""

from __future__ import annotations

from dataclasses import dataclass

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.service_layer.access import User

SEED = 7
CASES = 2000
PASSWORD = "correct horse battery staple"


@dataclass
class Synth:
    """The opened database and its users."""

    app: Dutycare
    coordinator: User
    analyst: User
    partner: User

    def uow(self) -> StaffSqlUnitOfWork:
        """A staff unit of work."""
        return StaffSqlUnitOfWork.like(self.app.uow())


def published_cells(table: dict[str, object]) -> tuple[dict[object, int | None], list[list[tuple[object, int]]]]:
    """What an attacker reads off a published table (JSON): every count and the sums that tie them."""
    rows = list(table["rows"])  # type: ignore[call-overload]
    total = table["total"]
    assert isinstance(total, dict)
    cells: dict[object, int | None] = {}
    relations: list[list[tuple[object, int]]] = []
    for r in [*rows, total]:
        key = r["key"]
        for col in ("cases", "with", "without"):
            cells[(key, col)] = r[col]
        relations.append([((key, "with"), 1), ((key, "without"), 1), ((key, "cases"), -1)])
    for col in ("cases", "with", "without"):
        relations.append([((total["key"], col), -1), *(((r["key"], col), 1) for r in rows)])
    return cells, relations
