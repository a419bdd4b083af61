"""Reading an import's sources: records (or problems) from a document in memory, grouped into batches for the
interchange parser, and the log of problems found on the way. File formats are read by adapters.importers, which
yield the same RawRecord items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dutycare.domain.errors import DomainError, InvalidInput, Problem
from dutycare.domain.interchange import (
    FORMAT_NAME,
    FORMAT_VERSION,
    SECTION_KINDS,
    SECTIONS,
)
from dutycare.service_layer.ports import Progress, RecordSource
from dutycare.service_layer.raw_record import RawRecord

KINDS = ("person", "institution", "source", "case", "event")
SECTION_OF = {kind: section for section, kind in SECTION_KINDS.items()}


MAX_PROBLEMS_KEPT = 100
BATCH_RECORDS = 2000


class NoProgress(Progress):
    """Reports nothing."""

    def start(self, phase: str) -> None:
        """Nothing."""

    def update(self, records: int, fraction: float | None) -> None:
        """Nothing."""

    def finish(self) -> None:
        """Nothing."""


@dataclass
class ProblemLog:
    """The first problems found, and how many there were in all."""

    limit: int = MAX_PROBLEMS_KEPT
    kept: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        """Count a problem; keep it if there is room and it is not a repeat of the last one."""
        if self.kept and self.kept[-1] == problem:
            return
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(problem)

    def raise_if_any(self) -> None:
        """Raise InvalidInput when anything was wrong."""
        if self.total:
            raise InvalidInput(self.kept, self.total)


def header_problems(head: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a case file's top-level fields (format, version, unknown keys)."""
    out = []
    if head.get("format") != FORMAT_NAME:
        out.append(Problem("document", "format", f"must be '{FORMAT_NAME}'"))
    if head.get("format_version") != FORMAT_VERSION:
        out.append(Problem("document", "format_version",
                           f"is {head.get('format_version')!r}; this dutycare reads version {FORMAT_VERSION}"))
    allowed = ("format", "format_version", *SECTIONS)
    out += [Problem("document", key, "unknown field") for key in head if key not in allowed]
    return out


def section_location(section: str, index: int, raw: Any) -> str:
    """Where a record sits in a case file, as the interchange parser names it: ``events[3] (id ev-1)``."""
    rid = raw.get("id") if isinstance(raw, Mapping) else None
    return f"{section}[{index}]" + (f" (id {rid})" if isinstance(rid, str) else "")


class DocumentRecords(RecordSource):
    """The records of an interchange document already in memory."""

    def __init__(self, document: Any) -> None:
        self.document = document

    def items(self) -> Iterator[RawRecord | Problem]:
        """Header problems (which end the reading), then every record in section order."""
        doc = self.document
        if not isinstance(doc, Mapping):
            yield Problem("document", "", "must be a JSON object")
            return
        head = header_problems(doc)
        if head:
            yield from head
            return
        for section in SECTIONS:
            yield from self._section(section, doc.get(section, []))

    @staticmethod
    def _section(section: str, items: Any) -> Iterator[RawRecord | Problem]:
        if not isinstance(items, list):
            yield Problem(section, "", "must be a list")
            return
        kind = SECTION_KINDS[section]
        for i, raw in enumerate(items):
            where = section_location(section, i, raw)
            if isinstance(raw, Mapping):
                yield RawRecord(kind, raw, where)
            else:
                yield Problem(where, "", "must be an object")

    def progress(self) -> tuple[int, int]:
        """Unknown."""
        return 0, 0

    def digest(self) -> str | None:
        """Not applicable: the document cannot change between passes."""
        return None


@dataclass
class Batch:
    """Raw records gathered for one call of the interchange parser."""

    records: list[RawRecord] = field(default_factory=list)

    def ids(self) -> dict[str, set[str]]:
        """The ids the batch defines, per kind."""
        out: dict[str, set[str]] = defaultdict(set)
        for rec in self.records:
            rid = rec.data.get("id")
            if isinstance(rid, str):
                out[rec.kind].add(rid)
        return out

    def document(self) -> tuple[dict[str, Any], dict[str, list[RawRecord]]]:
        """The batch as a case-file document, and each section's records in document order."""
        index: dict[str, list[RawRecord]] = {s: [] for s in SECTIONS}
        for rec in self.records:
            index[SECTION_OF[rec.kind]].append(rec)
        doc: dict[str, Any] = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION}
        doc.update({s: [r.data for r in recs] for s, recs in index.items() if recs})
        return doc, index


def batches(items: Iterator[RawRecord | Problem], log: ProblemLog | None, size: int | None = None,
            kinds: Collection[str] | None = None) -> Iterator[Batch]:
    """Group records into batches; problems go to the log (or raise, when there is none).

    A source that yields nothing but problems is given up on once the log is full, so junk fails fast.
    """
    size = size or BATCH_RECORDS
    batch = Batch()
    seen = 0
    for item in items:
        if isinstance(item, Problem):
            if log is None:
                raise _changed()
            log.add(item)
            if not seen and log.total >= log.limit:
                log.kept.append(Problem("file", "", "stopped reading: not one valid record before "
                                                    f"{log.limit} problems — is this the right file and format?"))
                return
            continue
        seen += 1
        if kinds is not None and item.kind not in kinds:
            continue
        batch.records.append(item)
        if len(batch.records) >= size:
            yield batch
            batch = Batch()
    if batch.records:
        yield batch


def _changed() -> DomainError:
    return DomainError("The file changed while it was being imported; nothing was written. Import it again.")


