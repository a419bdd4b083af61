"""Search over encrypted case text through a keyed index that holds no plaintext.

Titles, summaries, event text and pseudonyms are sealed per row, so a LIKE over columns is impossible. Instead,
every write passes its changed records here: their text is cut into words, each word normalised (lower case,
ё→е, a light Russian and English suffix stripping) and handed to the index, which stores only a keyed HMAC of
each word beside the record it occurs in. A query is normalised the same way and matched on those digests.

What this leaks to someone holding the database but not the key: how many distinct words each record has, and
which records share a word (not which word). Identifying fields (full name, birth date, contacts, notes) are
never indexed, so searching cannot be used to test whether a named person is on record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from dutycare.domain.events import EVENT_SPECS, FieldKind
from dutycare.service_layer.changes import Action, Change, created
from dutycare.service_layer.ports import SearchIndex as SearchIndex
from dutycare.service_layer.ports import UnitOfWork

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MIN_STEM = 3
# Longest first; a suffix is stripped only when at least MIN_STEM letters remain.
_RU_SUFFIXES = tuple(sorted((
    "иями", "ями", "ами", "ией", "ием", "иям", "иях", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ий",
    "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ых", "их", "ую", "юю", "ом", "ем", "ам", "ям", "ах", "ях", "ов",
    "ев", "ью", "ия", "ию", "ии", "ть", "ться", "лся", "лась", "лось", "лись", "ла", "ло", "ли", "ся", "сь",
    "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "й",
), key=len, reverse=True))
_EN_SUFFIXES = ("ations", "ation", "ingly", "ings", "ing", "edly", "ies", "ied", "ed", "es", "ly", "s")
_SEARCHABLE_RECORDS = ("case", "event", "person")


def normalise(word: str) -> str:
    """One word in its indexed form: lower case, ё as е, common inflectional endings removed."""
    w = word.lower().replace("ё", "е")
    suffixes = _RU_SUFFIXES if re.search("[а-я]", w) else _EN_SUFFIXES
    for suffix in suffixes:
        if w.endswith(suffix) and len(w) - len(suffix) >= MIN_STEM:
            return w[: -len(suffix)]
    return w


def words(text: str, normaliser: Callable[[str], str] = normalise) -> set[str]:
    """The indexed forms of the words in a text (words of one letter are left out)."""
    return {normaliser(w) for w in _WORD.findall(text or "") if len(w) >= 2}


def query_words(text: str) -> list[str]:
    """The indexed forms of a search query, in order and without repeats."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(text or ""):
        if len(w) >= 2:
            seen.setdefault(normalise(w), None)
    return list(seen)


TEXT_FIELDS: Mapping[str, tuple[str, ...]] = {
    t.value: tuple(f.name for f in spec.fields if f.kind is FieldKind.TEXT) for t, spec in EVENT_SPECS.items()
}
"""For each event type, the detail fields that hold free text (and so are searchable)."""


def texts_of(kind: str, record: Mapping[str, object]) -> Iterable[str]:
    """The texts of a record (in interchange form) that the search index covers."""
    if kind == "case":
        yield from (str(record.get(k) or "") for k in ("title", "summary"))
    elif kind == "person":
        yield str(record.get("pseudonym") or "")
    elif kind == "event":
        yield str(record.get("summary") or "")
        details = record.get("details")
        if isinstance(details, Mapping):
            for name in TEXT_FIELDS.get(str(record.get("type")), ()):
                value = details.get(name)
                if isinstance(value, str):
                    yield value


def record_words(kind: str, record: Mapping[str, object],
                 normaliser: Callable[[str], str] = normalise) -> set[str]:
    """Every indexed word of one record in its interchange form (a caller may pass a cached normaliser)."""
    found: set[str] = set()
    for text in texts_of(kind, record):
        found |= words(text, normaliser)
    return found


def index_changes(index: SearchIndex, changes: Iterable[Change]) -> None:
    """Bring the index up to date with a write (call it in the write's unit of work)."""
    for change in changes:
        if change.entity not in _SEARCHABLE_RECORDS:
            continue
        if change.action is Action.TOMBSTONE:
            index.remove(change.entity, change.entity_id)
        elif change.action in (Action.CREATE, Action.UPDATE):
            index.replace(change.entity, change.entity_id, record_words(change.entity, change.record))


def rebuild_index(uow: UnitOfWork) -> int:
    """Index every record again (after a migration, or when the index was lost); returns the records indexed."""
    with uow:
        records = uow.records.all_records()
        changes = list(created(records))
        index_changes(uow.search, changes)
        uow.commit()
    return sum(1 for c in changes if c.entity in _SEARCHABLE_RECORDS)


def needs_rebuild(uow: UnitOfWork) -> bool:
    """True when records exist but the index holds nothing (e.g. after migrating an older database)."""
    with uow:
        return uow.records.count("case") > 0 and uow.search.is_empty()
