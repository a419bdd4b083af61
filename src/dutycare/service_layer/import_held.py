"""Held batches: batches checked but waiting for records named further on. When the newest batch still names a
record not read yet, the batches before it need not wait with it: they are written with the records they name
from the batches after them (a joint complaint's other cases, say), and only the rest keeps waiting. Without this,
a run of batches that each end by naming the next one's first case was held, and written, all at once."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

from dutycare.domain.events import Event
from dutycare.domain.interchange import named_by
from dutycare.domain.model import Case, CaseFile, Institution, Person, Source

Record = Person | Institution | Source | Case | Event
Ref = tuple[str, str]  # (kind, id), as the checker's open references are kept


def _sections(cf: CaseFile) -> tuple[tuple[str, tuple[Record, ...]], ...]:
    return (("person", cf.people), ("institution", cf.institutions), ("source", cf.sources), ("case", cf.cases),
            ("event", cf.events))


def record_refs(rec: Record) -> Iterator[Ref]:
    """Every record one record names, as (kind, id) (`interchange.named_by` without the field)."""
    return ((kind, ref) for _, kind, ref in named_by(rec))


def _filtered(cfs: list[CaseFile], taken: Collection[Ref], inside: bool) -> CaseFile:
    """The records of these batches that are (``inside``) or are not among ``taken``, in file order within each
    kind."""

    def keep(ref: Ref) -> bool:
        return (ref in taken) is inside

    return CaseFile(people=tuple(r for cf in cfs for r in cf.people if keep(("person", r.id))),
                    institutions=tuple(r for cf in cfs for r in cf.institutions if keep(("institution", r.id))),
                    sources=tuple(r for cf in cfs for r in cf.sources if keep(("source", r.id))),
                    cases=tuple(r for cf in cfs for r in cf.cases if keep(("case", r.id))),
                    events=tuple(r for cf in cfs for r in cf.events if keep(("event", r.id))))


def _with_what_they_name(head: list[CaseFile], tail: list[CaseFile],
                         open_refs: Collection[Ref]) -> set[Ref] | None:
    """The records of ``tail`` that ``head`` names, and those they name in turn; None when any of them, or ``head``
    itself, names a record still open (not read yet, or not yet found in the database)."""
    later: dict[Ref, Record] = {(kind, r.id): r for cf in tail for kind, recs in _sections(cf) for r in recs}
    wanted: set[Ref] = set()
    todo: list[Record] = [r for cf in head for _, recs in _sections(cf) for r in recs]
    while todo:
        for ref in record_refs(todo.pop()):
            if ref in open_refs:
                return None
            if ref in later and ref not in wanted:
                wanted.add(ref)
                todo.append(later[ref])
    return wanted


def ready_part(held: list[CaseFile], open_refs: Collection[Ref]) -> tuple[list[CaseFile], list[CaseFile]] | None:
    """What of the held batches can be written now, and what must still wait; None when nothing can.

    The most batches from the first on that name no open record are taken whole, with the records they name from
    the batches after them (which must not name an open record either); those records leave their batches, which
    keep waiting. What is written is still parents first (the caller merges it), and every record it names is
    written with it or before it."""
    for n in range(len(held) - 1, 0, -1):
        head, tail = held[:n], held[n:]
        wanted = _with_what_they_name(head, tail, open_refs)
        if wanted is not None:
            rest = [cf for cf in (_filtered([b], wanted, inside=False) for b in tail) if _size(cf)]
            return ([*head, _filtered(tail, wanted, inside=True)] if wanted else head), rest
    return None


def _size(cf: CaseFile) -> int:
    return sum(len(recs) for _, recs in _sections(cf))


def open_references(pending: Iterable[Ref], pending_events: Iterable[str]) -> set[Ref]:
    """The checker's open references as one set of (kind, id)."""
    return {*pending, *(("event", e) for e in pending_events)}
