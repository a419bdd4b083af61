"""What a backup reads and writes: archive members' digests and a database snapshot (data, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MemberDigest:
    """The SHA-256 and size of one archive member's content."""

    sha256: str
    size: int


@dataclass(frozen=True)
class DatabaseSnapshot:
    """A database snapshot written to files, with what it says about itself."""

    backend: str
    format: str
    revision: str
    ledger_size: int
    ledger_root: str
    files: dict[str, Path]
