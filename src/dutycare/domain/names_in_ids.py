"""Ids are not secret: they are stored in plaintext and appear in logs, exports and every proof bundle.

This finds ids that carry a name or pseudonym of a person from the same file, so that an import can warn about
them (docs/case-file.md). Names are compared word by word, case-insensitively, after transliterating Cyrillic
to Latin; a loose comparison (consonants only, x as ks, c as k) also matches spellings such as 'maxim' for
'Максим' or 'alexander' for 'Александр'.
"""

from __future__ import annotations

import re

from dutycare.domain.model import CaseFile

_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
     "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g"], strict=True))
_WORD = re.compile(r"[^\W\d_]{3,}")
_VOWELS = str.maketrans("", "", "aeiouyj")
MIN_LOOSE = 4
MAX_WARNINGS = 50
IDS_PER_WORD = 5  # enough to show; bounded, since every event id of a large file may share a word


def transliterate(text: str) -> str:
    """Lower-case Latin letters for Cyrillic ones; other characters as they are, lower-cased."""
    return "".join(_CYRILLIC.get(ch, ch) for ch in text.lower())


def _loose(word: str) -> str:
    spelled = word.replace("x", "ks").replace("kh", "h").replace("ph", "f").replace("c", "k").replace("w", "v")
    skeleton = spelled.translate(_VOWELS)
    return re.sub(r"(.)\1+", r"\1", skeleton)


def _keys(text: str) -> set[str]:
    keys = set()
    for word in _WORD.findall(transliterate(text)):
        keys.add("=" + word)
        loose = _loose(word)
        if len(loose) >= MIN_LOOSE:
            keys.add("~" + loose)
    return keys


class NamesInIds:
    """Collects the names of a file's people and the words of its ids, and reports ids that hold a name."""

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str]] = {}  # key -> (person id, the name word)
        self._ids: dict[str, list[tuple[str, str]]] = {}  # key -> (kind, id) of the first ids holding it

    def add(self, case_file: CaseFile) -> None:
        """Take in one batch of records."""
        for person in case_file.people:
            for name in (person.pseudonym, person.full_name):
                if name:
                    for word in _WORD.findall(name):
                        for key in _keys(word):
                            self._names.setdefault(key, (person.id, word))
        for kind, records in (("person", case_file.people), ("institution", case_file.institutions),
                              ("source", case_file.sources), ("case", case_file.cases), ("event", case_file.events)):
            for record in records:
                if _WORD.search(record.id):
                    for key in _keys(record.id):
                        holders = self._ids.setdefault(key, [])
                        if len(holders) < IDS_PER_WORD:
                            holders.append((kind, record.id))

    def warnings(self) -> list[str]:
        """One line per id that holds a name, at most MAX_WARNINGS."""
        found: dict[str, str] = {}
        for key in self._names.keys() & self._ids.keys():
            person_id, word = self._names[key]
            for kind, record_id in self._ids[key]:
                found.setdefault(record_id, f"{kind} id '{record_id}' contains the name '{word}' of person "
                                            f"'{person_id}': ids are not secret; use an opaque id such as p-01")
        return [found[i] for i in sorted(found)][:MAX_WARNINGS]
