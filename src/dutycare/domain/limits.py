"""What storage can hold, enforced by the interchange parser so that every write path refuses the same values.

The storage tables size their columns with these constants, so the two cannot drift apart. Integers are bounded by
what the ledger's canonical JSON can encode exactly; texts must be encodable as UTF-8 (no lone surrogates, which JSON
``\\uD800`` escapes produce) and hold no NUL character (PostgreSQL text cannot).
"""

from __future__ import annotations

from dutycare.ledger.entry import MAX_SAFE_INT

__all__ = ["MAX_DATE_LENGTH", "MAX_ID_LENGTH", "MAX_JSON_DEPTH", "MAX_JURISDICTION_LENGTH", "MAX_NUMBER_LENGTH",
           "MAX_OFFSET", "MAX_REGION_LENGTH", "MAX_SAFE_INT", "shown", "storable_text", "text_fault"]

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
    """A text safe to print or send back in a problem: lone surrogates and NUL written as escapes."""
    if text.isascii():
        return text.replace("\x00", "\\u0000") if "\x00" in text else text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")
