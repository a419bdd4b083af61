"""What a write changed, as the ledger records it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from dutycare.domain.interchange import (
    case_to_dict,
    event_to_dict,
    institution_to_dict,
    person_to_dict,
    source_to_dict,
)
from dutycare.domain.model import CaseFile


class Action(StrEnum):
    """Kinds of write the ledger knows."""

    CREATE = "create"
    UPDATE = "update"
    ATTACH = "attach"
    TOMBSTONE = "tombstone"


@dataclass(frozen=True)
class Change:
    """One record's new full state after a write."""

    action: Action
    entity: str
    entity_id: str
    record: Mapping[str, object]
    file_sha256: str | None = None


def created(cf: CaseFile) -> Iterator[Change]:
    """The changes that inserting a whole case file makes, in dependency order."""
    for p in cf.people:
        yield Change(Action.CREATE, "person", p.id, person_to_dict(p))
    for i in cf.institutions:
        yield Change(Action.CREATE, "institution", i.id, institution_to_dict(i))
    for s in cf.sources:
        yield Change(Action.CREATE, "source", s.id, source_to_dict(s))
    for c in cf.cases:
        yield Change(Action.CREATE, "case", c.id, case_to_dict(c))
    for e in cf.events:
        yield Change(Action.CREATE, "event", e.id, event_to_dict(e))
