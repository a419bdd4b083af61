"""Checks of the columns verify does not hash: each is derived from covered records and compared with them.

The ledger covers each record's full state (its digest is in the newest entry about it). Tables also hold
bookkeeping and copies kept for speed: positions, versions, event date bounds, ledger index columns, checkpoint
columns and the search index. Each is recomputed here from what the ledger covers, and a difference is a problem.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dutycare.domain.dates import PartialDate
from dutycare.domain.errors import DomainError, SearchIndexDamaged
from dutycare.ledger.checkpoint import CheckpointError, parse_checkpoint
from dutycare.ledger.entry import EntryError, entry_summary
from dutycare.ledger.merkle import MerkleTree
from dutycare.ledger.verify import RecordHistory
from dutycare.service_layer.ports import Found as Found
from dutycare.service_layer.ports import SearchIndex
from dutycare.service_layer.queries import RowFacts
from dutycare.service_layer.search import normalise, record_words

Histories = Mapping[tuple[str, str], RecordHistory]
SEARCHABLE = ("case", "event", "person")


def check_index_columns(columns: Iterable[tuple[object, object, object]], entries: list[bytes], found: Found) -> None:
    """Each ledger row's seq, entity and entity_id columns must say what its entry's bytes say."""
    for position, (seq, entity, entity_id) in enumerate(columns):
        if position >= len(entries):
            break
        try:
            inner_seq, inner_entity, inner_id, _, _ = entry_summary(entries[position])
        except EntryError:
            continue  # verify_log names undecodable entries
        if (seq, entity, entity_id) != (inner_seq, inner_entity, inner_id):
            found.add("ledger entry", str(position),
                      f"its index columns ({seq}, {entity}, {entity_id}) differ from the entry it holds "
                      f"({inner_seq}, {inner_entity}, {inner_id}): the database was altered")


def check_checkpoint_columns(rows: Iterable[tuple[object, object, object, str]], found: Found) -> None:
    """Each checkpoint row's size, root and time columns must repeat its signed note (what pages show)."""
    for size, root, at, note in rows:
        try:
            cp = parse_checkpoint(note)
        except CheckpointError:
            continue  # verify_log names unreadable notes
        if (size, root, at) != (cp.checkpoint.size, cp.checkpoint.root, cp.checkpoint.time.isoformat()):
            found.add("checkpoint", str(cp.checkpoint.size),
                      "its size, root or time column differs from its signed note: the database was altered")


def check_row_facts(facts: Iterable[RowFacts], histories: Histories, found: Found) -> None:
    """Positions follow the order the ledger recorded each record in; versions count its changes; dates derive."""
    by_kind: dict[str, list[RowFacts]] = defaultdict(list)
    for fact in facts:
        history = histories.get((fact.entity, fact.id))
        if history is None:
            continue  # a record no entry names is reported by the record check
        by_kind[fact.entity].append(fact)
        if fact.entity != "evidence" and fact.version != history.versions:
            found.add(fact.entity, fact.id, f"its version column is {fact.version!r}, but the ledger records "
                                            f"{history.versions} version(s)")
        problem = _derived_problem(fact)
        if problem:
            found.add(fact.entity, fact.id, problem)
    for kind, rows in by_kind.items():
        rows.sort(key=lambda f: histories[(f.entity, f.id)].first_seq)
        for expected, fact in enumerate(rows):
            if fact.position != expected:
                found.add(kind, fact.id, f"its position column is {fact.position!r}, but it was recorded as "
                                         f"number {expected} of its kind: the display order was altered")


def check_link_ordinals(ordinals: Mapping[tuple[str, str], list[object]], found: Found) -> None:
    """An event's case links and citations are numbered 0, 1, 2, ... (the order its covered record lists them)."""
    for (table, event_id), numbers in sorted(ordinals.items()):
        whole = [n for n in numbers if isinstance(n, int) and type(n) is int]  # a bool is no ordinal
        if len(whole) != len(numbers) or sorted(whole) != list(range(len(numbers))):
            found.add("event", event_id, f"the ordinal column of its rows in {table} is {numbers!r}, not "
                                         f"0..{len(numbers) - 1}: the rows were altered")


def _derived_problem(fact: RowFacts) -> str | None:
    """A derived column of one record that differs from what its covered fields give."""
    if "deleted_at" in fact.derived and fact.derived["deleted_at"] is None \
            and fact.derived.get("deleted_reason") is not None:
        return f"a withdrawal reason is stored, but the {fact.entity} is not withdrawn: the row was altered"
    if fact.entity == "event":
        try:
            date = PartialDate.parse(str(fact.derived["date"]))
        except (ValueError, TypeError):
            return None  # the record check reports an unreadable date
        for column, value in (("date_start", date.earliest), ("date_end", date.latest)):
            if fact.derived[column] != value.isoformat():
                return (f"derived column {column} ({fact.derived[column]!r}) differs from its ledger-covered date "
                        f"{date} (expected {value.isoformat()})")
    return None


def check_stored_paths(facts: Iterable[RowFacts], vault_path: Callable[[str, int], str], found: Found) -> None:
    """An evidence row's stored_path must be where the vault keeps that file id and version."""
    for fact in facts:
        if fact.entity != "evidence" or not isinstance(fact.version, int):
            continue
        expected = vault_path(fact.id, fact.version)
        if fact.derived["stored_path"] != expected:
            found.add("evidence", fact.id, f"derived column stored_path ({fact.derived['stored_path']!r}) is not "
                                           f"where the vault keeps it ({expected})")


def check_search_index(index: SearchIndex, records: Mapping[tuple[str, str], dict[str, Any]], found: Found) -> None:
    """The keyed search index must hold exactly the words of each covered record."""
    normaliser = functools.lru_cache(maxsize=1 << 16)(normalise)  # the same words recur across records
    expected = {key: record_words(key[0], record, normaliser) for key, record in records.items()
                if key[0] in SEARCHABLE}
    stored = index.terms()
    try:
        has_key = index.has_key()
    except SearchIndexDamaged:
        found.add("search index", "-", "the search index key cannot be read; the database was altered")
        return
    if not has_key:
        if stored or any(expected.values()):
            found.add("search index", "-", "the search index key is missing; the database was altered")
        return
    vocabulary = sorted(set().union(*expected.values()))
    digest_of = dict(zip(vocabulary, index.digests(vocabulary) or [], strict=True))  # each word hashed once
    for key in sorted(set(expected) | set(stored)):
        digests = {digest_of[w] for w in expected.get(key, set())}
        if digests != stored.get(key, set()):
            found.add(key[0] if key in expected else "search index", key[1],
                      "its search index entries differ from its ledger-covered record (derived rows were altered)")
    differing = index.postings_differ()
    if differing:
        found.add("search index", "-", f"{differing} search posting(s) differ from the indexed words and the links "
                                       "between records (derived rows were altered)")


def refuse_rewritten(tree: MerkleTree, notes: list[str], origin: str) -> None:
    """Raise DomainError when the log is shorter than, or differs from, any checkpoint of its origin signed."""
    for note in notes:
        try:
            cp = parse_checkpoint(note).checkpoint
        except CheckpointError:
            continue  # verify reports unreadable checkpoints; only a readable one can be contradicted
        if cp.origin != origin:
            continue
        if cp.size > tree.size or tree.root(cp.size) != cp.root:
            raise DomainError(f"The ledger no longer extends the checkpoint of size {cp.size} signed "
                              f"{cp.time.isoformat()}: its history was rewritten. Nothing was signed; run "
                              "'dutycare ledger verify'.")
