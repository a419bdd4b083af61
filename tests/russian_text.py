"""What a Russian reader must never see: the record's vocabulary of values in English, Python literals, ISO dates.

The vocabulary is gathered from the code (every controlled vocabulary, event type, detail field name, status,
role and audit action), so a value added later is looked for without this list changing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from enum import StrEnum
from html.parser import HTMLParser

from dutycare.domain import vocabulary
from dutycare.domain.events import EVENT_SPECS, EventType
from dutycare.jurisdictions.clocks import ClockKind
from dutycare.jurisdictions.deadlines import DueStatus
from dutycare.rules.model import Certainty, Severity
from dutycare.service_layer.access import Role
from dutycare.service_layer.audit import AuditAction

LITERALS = ("True", "False", "None")
ISO_DATE = re.compile(r"(?<![\w./-])~?\d{4}-\d{2}(?:-\d{2})?(?:/\d{4}(?:-\d{2}){0,2})?(?![\w-])")
SKIPPED_TAGS = frozenset({"script", "style", "code", "pre"})


def _enums() -> Iterator[type[StrEnum]]:
    for value in vars(vocabulary).values():
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
            yield value
    yield from (EventType, Severity, Certainty, DueStatus, ClockKind, Role, AuditAction)


def english_vocabulary() -> frozenset[str]:
    """Every English word of the vocabulary of values (codes of one letter, like reliability grades, left out)."""
    words = {member.value for enum in _enums() for member in enum}
    words |= {spec.name for event_spec in EVENT_SPECS.values() for spec in event_spec.fields}
    found = {w for w in words if len(w) > 1 and w.isascii()}
    return frozenset(found | {w.replace("_", " ") for w in found if "_" in w})


def _pattern(words: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.:/-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


VOCABULARY = english_vocabulary()
_WORDS = _pattern(VOCABULARY)
_LITERALS = re.compile(r"(?<![\w-])(?:True|False|None)(?![\w-])")
_SENTENCE = re.compile(r"(?<![\w'-])[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}")
"""Three English words in a row: a sentence left untranslated (names of things are one or two words)."""


_QUOTED = re.compile(r"«[^«»]*»")
"""What a Russian text quotes: a user's own input, a command to type, a statement on record."""


def english_in(text: str) -> list[str]:
    """Every English vocabulary word, Python literal or ISO date in a text a Russian reader sees (what it quotes
    in «» left out: that is the reader's own input, a command to type, or a statement as recorded)."""
    text = _QUOTED.sub("«»", text)
    found = [m.group(0) for m in _WORDS.finditer(text)]
    found += [m.group(0) for m in _LITERALS.finditer(text)]
    found += [m.group(0) for m in ISO_DATE.finditer(text)]
    found += [m.group(0) for m in _SENTENCE.finditer(text)]
    return found


class _TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(" ".join(data.split()))


def text_nodes(html: str) -> list[str]:
    """The text a reader sees on a page (code, scripts and styles left out)."""
    parser = _TextNodes()
    parser.feed(html)
    return parser.texts


def english_on_page(html: str) -> list[tuple[str, str]]:
    """(word, the text node holding it) for every English vocabulary word in a page's text."""
    return [(word, node) for node in text_nodes(html) for word in english_in(node)]
