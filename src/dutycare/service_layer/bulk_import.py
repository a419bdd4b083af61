"""The one import path: records streamed from a file or a document are validated and written — with their ledger
entries, search index entries and findings — in one transaction, or nothing is written.

It is told in four modules by what each does: reading sources (`import_sources`), checking records
(`import_checks`), writing them (`import_writes`) and finishing here: choosing the one-pass or the two-pass path,
the findings, the commit. Records go to a store: the plain repositories (`RepositoryStore`) or a bulk writer for
large files. Both use the same row mapping, the same encryption and the same ledger entry encoder; neither commits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dutycare.service_layer.findings import refresh_findings
from dutycare.service_layer.import_checks import Checker, check_source
from dutycare.service_layer.import_sources import (
    KINDS,
    SECTION_OF,
    DocumentRecords,
    NoProgress,
    ProblemLog,
    header_problems,
    section_location,
)
from dutycare.service_layer.import_writes import (
    RepositoryStore,
    StoreFactory,
    U,
    WriteAgain,
    Written,
    check_and_write,
    write_source,
)
from dutycare.service_layer.ports import BulkStore as BulkStore
from dutycare.service_layer.ports import Progress as Progress
from dutycare.service_layer.ports import RecordSource as RecordSource
from dutycare.service_layer.raw_record import RawRecord as RawRecord
from dutycare.service_layer.raw_record import Relocate as Relocate


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    counts: dict[str, int]
    ledger_size: int
    sha256: str | None = None
    case_ids: frozenset[str] | None = frozenset()
    """The cases written or added to; None from a store that keeps its memory flat in the file's size (the bulk
    writer), which lists none of them."""
    warnings: tuple[str, ...] = ()  # written anyway, but worth a look: e.g. an id holding a person's name


def import_records(uow: U, source: RecordSource, store_factory: StoreFactory[U] = RepositoryStore,
                   progress: Progress | None = None) -> ImportResult:
    """Validate every record of a source and write them all with their ledger and index entries, or nothing.

    This is the one import path (files of every format, and documents through services.import_case_file). Most
    files are checked and written in one pass (`check_and_write`); a file that names records before defining them
    is checked whole first and then written parents first, in a second pass over the source.
    """
    report = progress or NoProgress()
    try:
        with uow, fewer_collections():
            store = store_factory(uow)
            failed = True
            try:
                outcome = check_and_write(uow, source, store, report)
                if isinstance(outcome, WriteAgain):  # valid, but parents come after what names them
                    store.close(failed=True)
                    uow.rollback()
                    store = store_factory(uow)
                    written = write_source(source, store, outcome.checker, report)
                    report.start("indexing")
                    size = store.finish()
                    report.start("findings")
                    refresh_findings(uow, written.case_ids or set())  # in the same transaction as the records
                else:
                    written = outcome
                    report.start("indexing")
                    size = store.finish()
                failed = False
            finally:
                store.close(failed)
            report.start("committing")
            uow.commit()
    finally:
        report.finish()
    counts = {SECTION_OF[kind]: n for kind, n in written.counts.items()}
    case_ids = None if written.case_ids is None else frozenset(written.case_ids)
    return ImportResult(counts, size, source.digest(), case_ids,
                        tuple(written.names_in_ids.warnings()))


@contextmanager
def fewer_collections(threshold: int = 50_000) -> Iterator[None]:
    """Run the garbage collector's youngest generation less often while an import allocates millions of small
    objects that live until their batch is written (restored afterwards)."""
    before = gc.get_threshold()
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


__all__ = [
    "KINDS",
    "SECTION_OF",
    "BulkStore",
    "Checker",
    "DocumentRecords",
    "ImportResult",
    "NoProgress",
    "ProblemLog",
    "Progress",
    "RawRecord",
    "RecordSource",
    "Relocate",
    "RepositoryStore",
    "StoreFactory",
    "WriteAgain",
    "Written",
    "check_and_write",
    "check_source",
    "header_problems",
    "import_records",
    "section_location",
    "write_source",
]
