"""Reading an import file: byte counting for progress, and a SHA-256 that proves both passes read the same bytes."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

BUFFER = 1 << 20


class HashingReader(io.RawIOBase):
    """A raw file that hashes every byte read and knows how far it has got."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.position = 0

    def readable(self) -> bool:
        """Always."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read, hash and count."""
        n = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self.sha256.update(memoryview(buffer)[:n])
            self.position += n
        return n or 0

    def finish(self) -> str | None:
        """The digest of the whole file, or None when the pass stopped before the end."""
        return None if self._raw.read(1) else self.sha256.hexdigest()


class FilePass:
    """Per-pass reading state shared by the readers: size, progress and the digest of the last full pass."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size
        self._reader: HashingReader | None = None
        self._digest: str | None = None

    @contextmanager
    def open(self) -> Iterator[io.BufferedReader]:
        """Open the file for one pass, buffered; its digest is ready when the pass ends."""
        with self.path.open("rb") as raw:
            self._reader = HashingReader(raw)
            try:
                yield io.BufferedReader(self._reader, BUFFER)
            finally:
                self._digest = self._reader.finish()

    def progress(self) -> tuple[int, int]:
        """Bytes read so far in this pass, and the file's size."""
        return (self._reader.position if self._reader else 0), self.size

    def digest(self) -> str | None:
        """The SHA-256 of the file as the last pass read it."""
        return self._digest


def file_digest(path: Path) -> str:
    """The SHA-256 of a whole file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(BUFFER):
            h.update(chunk)
    return h.hexdigest()
