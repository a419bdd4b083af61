"""What storage can hold, enforced by the interchange parser so that every write path refuses the same values.

The storage tables size their columns with these constants, so the two cannot drift apart. Integers are bounded by
what the ledger's canonical JSON can encode exactly; texts must be encodable as UTF-8 (no lone surrogates, which JSON
``\\uD800`` escapes produce) and hold no NUL character (PostgreSQL text cannot).
"""

from __future__ import annotations

import re
import unicodedata

from dutycare.ledger.entry import MAX_SAFE_INT

__all__ = ["MAX_DATE_LENGTH", "MAX_ID_LENGTH", "MAX_JSON_DEPTH", "MAX_JURISDICTION_LENGTH", "MAX_NUMBER_LENGTH",
           "MAX_OFFSET", "MAX_REGION_LENGTH", "MAX_SAFE_INT", "id_fault", "shown", "storable_text", "text_fault"]

MAX_ID_LENGTH = 80  # every record id and reference
MAX_REGION_LENGTH = 200  # institutions.region, cases.region
MAX_JURISDICTION_LENGTH = 10  # institutions.jurisdiction
MAX_DATE_LENGTH = 40  # partial dates as text; the longest form, ~YYYY-MM-DD/YYYY-MM-DD, has 22 characters
MAX_OFFSET = 10**9  # paging: far beyond any list, far below the 64-bit integers SQLite and PostgreSQL take
MAX_JSON_DEPTH = 64  # nesting of arrays and objects; the interchange format needs 4
MAX_NUMBER_LENGTH = 100  # characters of one JSON number; integers beyond MAX_SAFE_INT are refused anyway

NUL_FAULT = "holds a NUL character (\\u0000), which cannot be stored"
SURROGATE_FAULT = ("holds a broken character (an unpaired surrogate such as the JSON escape \\uD800), "
                   "which cannot be stored as UTF-8")


# Control characters (C0, DEL, C1) and the invisible formatting ones an id could hide behind: bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), marks (U+200E, U+200F, U+061C), zero-width
# characters, soft hyphen, byte-order mark, line and paragraph separators.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _hidden_at(value: str) -> int | None:
    match = _HIDDEN.search(value)
    if match is not None:
        return match.start()
    if value.isascii():
        return None
    return next((i for i, ch in enumerate(value) if unicodedata.category(ch) in _HIDDEN_CATEGORIES), None)


def id_fault(value: str) -> str | None:
    """Why a text cannot be an id (a control or invisible formatting character in it), or None."""
    at = _hidden_at(value)
    if at is None:
        return None
    ch = value[at]
    name = unicodedata.name(ch, "a control character")
    return (f"holds U+{ord(ch):04X} ({name}) at position {at + 1}: ids may not hold control or invisible "
            "formatting characters (such as bidirectional overrides), which can make one id look like another")


def storable_text(value: str) -> bool:
    """Whether storage can hold this text: UTF-8 encodable, without NUL. Runs on every text of every record, so it
    is kept cheap: ``isascii`` reads a flag, and other text is encoded once (lone surrogates cannot be)."""
    if value.isascii():
        return "\x00" not in value
    try:
        return 0 not in value.encode("utf-8")  # a byte search; faster than b"\x00" in ...
    except UnicodeEncodeError:
        return False


def text_fault(value: str) -> str | None:
    """Why storage cannot hold this text, or None."""
    if storable_text(value):
        return None
    return NUL_FAULT if "\x00" in value else SURROGATE_FAULT


def shown(text: str) -> str:
    """A text safe to print or send back in a problem: lone surrogates, NUL and invisible controls as escapes."""
    if text.isascii():
        text = text.replace("\x00", "\\u0000") if "\x00" in text else text
    else:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")
    if _hidden_at(text) is None:
        return text
    return "".join(f"\\u{ord(ch):04x}" if _hidden_at(ch) == 0 else ch for ch in text)
