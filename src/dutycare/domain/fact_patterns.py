"""Word patterns over dictionary forms, and the matcher that finds them in a sentence.

A pattern is written as words separated by spaces. Each word is a set of alternatives joined by ``|``; an
alternative is a lemma (``отказать``), a stem ending in ``*`` that the word or its lemma starts with
(``госпитал*``, which also catches misspelt endings), or ``=form`` for an exact lower-case word form. ``~N`` lets up
to N other words stand between two words; a word starting with ``?`` may be absent. Matching is by lemma, so
«отказали», «отказывают» and «отказ» are found by ``отказать|отказывать|отказ`` whatever their endings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from dutycare.domain.suggested_facts import Token


@dataclass(frozen=True)
class _Word:
    lemmas: frozenset[str]
    stems: tuple[str, ...]
    forms: frozenset[str]
    optional: bool = False

    def matches(self, token: Token) -> bool:
        if token.lemma in self.lemmas or token.lower in self.forms:
            return True
        return any(token.lower.startswith(s) or token.lemma.startswith(s) for s in self.stems)


@dataclass(frozen=True)
class _Gap:
    most: int


_Item = _Word | _Gap


def _word(spec: str) -> _Word:
    optional = spec.startswith("?")
    lemmas: set[str] = set()
    stems: list[str] = []
    forms: set[str] = set()
    for alt in spec.lstrip("?").split("|"):
        alt = alt.replace("ё", "е")
        if alt.startswith("="):
            forms.add(alt[1:])
        elif alt.endswith("*"):
            stems.append(alt[:-1])
        else:
            lemmas.add(alt)
    return _Word(frozenset(lemmas), tuple(stems), frozenset(forms), optional)


@cache
def compile_pattern(pattern: str) -> tuple[_Item, ...]:
    """The pattern's words and gaps (compiled once per pattern, on first use)."""
    items: list[_Item] = []
    for part in pattern.split():
        if part.startswith("~") and part[1:].isdigit():
            items.append(_Gap(int(part[1:])))
        else:
            items.append(_word(part))
    return tuple(items)


def _match_from(items: Sequence[_Item], tokens: Sequence[Token], i: int, at: int) -> int | None:
    """The index just past the shortest match of items[i:] starting at token ``at``, or None."""
    if i == len(items):
        return at
    item = items[i]
    if isinstance(item, _Gap):
        for skip in range(item.most + 1):
            if (end := _match_from(items, tokens, i + 1, at + skip)) is not None:
                return end
            if at + skip >= len(tokens):
                break
        return None
    if at < len(tokens) and item.matches(tokens[at]) and (end := _match_from(items, tokens, i + 1, at + 1)) is not None:
        return end
    return _match_from(items, tokens, i + 1, at) if item.optional else None


def find(pattern: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Every non-overlapping match of the pattern, as (first token, one past the last token)."""
    items = compile_pattern(pattern)
    found: list[tuple[int, int]] = []
    at = 0
    while at < len(tokens):
        end = _match_from(items, tokens, 0, at)
        if end is not None and end > at:
            found.append((at, end))
            at = end
        else:
            at += 1
    return found


def first(patterns: Sequence[str], tokens: Sequence[Token]) -> tuple[int, int] | None:
    """The earliest match of any of the patterns, or None."""
    spans = [span for p in patterns for span in find(p, tokens)]
    return min(spans) if spans else None
