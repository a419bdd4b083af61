"""JSON text decoded with bounds: nesting depth, number length, and only what RFC 8259 calls JSON.

The standard decoder recurses once per level (50,000 levels end in a RecursionError), converts any number of
digits (100,000 of them end in Python's integer-conversion ValueError) and accepts NaN and Infinity. Every JSON
that reaches dutycare from outside (import files, API request bodies) is decoded here instead, and each of those
cases is a ``json.JSONDecodeError`` with the position it concerns, so callers report it like any broken JSON.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from dutycare.domain.limits import MAX_JSON_DEPTH, MAX_NUMBER_LENGTH

__all__ = ["JsonLimitError", "loads", "raw_decode"]

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'  # skipped whole, so brackets and digits inside texts do not count
_BRACKETS = re.compile(_STRING + r"|[\[\]{}]")
_LONG_NUMBER = re.compile(_STRING + rf"|[-0-9][0-9.eE+-]{{{MAX_NUMBER_LENGTH},}}")
_CONSTANT = re.compile(_STRING + r"|NaN|-?Infinity")
DEPTH_MESSAGE = f"arrays and objects are nested more than {MAX_JSON_DEPTH} levels deep"
NUMBER_MESSAGE = f"a number is longer than {MAX_NUMBER_LENGTH} characters"


class JsonLimitError(json.JSONDecodeError):
    """Well-formed or not, JSON that dutycare refuses to decode: too deep, too long a number, NaN or Infinity."""


class _Refused(ValueError):
    """Raised from inside the decoder's hooks, which do not know where they are."""

    def __init__(self, message: str, pattern: re.Pattern[str]) -> None:
        super().__init__(message)
        self.message = message
        self.pattern = pattern


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:
        raise _Refused(NUMBER_MESSAGE, _LONG_NUMBER)
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH:
        raise _Refused(NUMBER_MESSAGE, _LONG_NUMBER)
    return float(text)


def _constant(text: str) -> Any:
    raise _Refused(f"{text} is not a JSON value; write a number or null", _CONSTANT)


@cache
def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def too_deep(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Where nesting first passes the limit in text[start:end], or None."""
    end = len(text) if end is None else end
    # Counting brackets is a C loop; only text with more of them than the limit is walked token by token.
    if text.count("[", start, end) + text.count("{", start, end) <= MAX_JSON_DEPTH:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text, start, end):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _first(pattern: re.Pattern[str], text: str, start: int) -> int:
    """The first match of pattern outside strings, from start (start itself when there is none)."""
    return next((m.start() for m in pattern.finditer(text, start) if not m.group().startswith('"')), start)


def raw_decode(text: str, pos: int = 0) -> tuple[Any, int]:
    """One JSON value starting at pos (after any whitespace the caller skipped), and where it ends."""
    try:
        value, end = _decoder().raw_decode(text, pos)
    except RecursionError:
        at = too_deep(text, pos)
        raise JsonLimitError(DEPTH_MESSAGE, text, pos if at is None else at) from None
    except _Refused as exc:
        raise JsonLimitError(exc.message, text, _first(exc.pattern, text, pos)) from None
    at = too_deep(text, pos, end)
    if at is not None:
        raise JsonLimitError(DEPTH_MESSAGE, text, at)
    return value, end


def loads(data: str | bytes) -> Any:
    """A whole JSON text (bytes in UTF-8, -16 or -32, as ``json.loads`` reads them)."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError("is not UTF-8 text", "", exc.start) from None
    start = len(data) - len(data.lstrip(" \t\n\r"))
    value, end = raw_decode(data, start)
    if data[end:].strip(" \t\n\r"):
        raise json.JSONDecodeError("Extra data", data, end)
    return value
