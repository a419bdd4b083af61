"""Reading JSON documents from files, with errors that say where the file is broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dutycare.adapters import json_text
from dutycare.domain.errors import DomainError, InvalidInput, Problem


def read_json_document(path: Path) -> Any:
    """Parse a UTF-8 JSON file; malformed content becomes InvalidInput naming line and column."""
    if not path.is_file():
        raise DomainError(f"There is no file at {path}.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = Problem(str(path), "", f"is not UTF-8 text (byte {exc.start}); save it as UTF-8")
        raise InvalidInput([problem]) from None
    try:
        return json_text.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput([Problem(f"{path}:{exc.lineno}:{exc.colno}", "", f"malformed JSON: {exc.msg}")]) from None
