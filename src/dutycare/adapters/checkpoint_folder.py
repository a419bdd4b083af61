"""Signed checkpoints kept as files outside the database, so that rewinding the database alone is noticed."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from dutycare.service_layer.ports import CheckpointArchive

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
SUFFIX = ".checkpoint"


def folder_name(origin: str) -> str:
    """A file-system-safe folder name for a log origin (e.g. 'dutycare/1a2b' becomes 'dutycare_1a2b')."""
    return _UNSAFE.sub("_", origin).strip(".") or "log"


class CheckpointFolder(CheckpointArchive):
    """One file per signed tree size, in a folder of its own per log; files are never overwritten."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, size: int) -> Path:
        """Where the checkpoint of one tree size is kept."""
        return self.root / f"{size:015d}{SUFFIX}"

    def keep(self, size: int, note: str) -> Path:
        """Write a signed checkpoint unless one of this size is there already (it may carry co-signatures)."""
        target = self.path_for(size)
        if target.exists():
            return target
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(note)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)  # readers see the whole note or none of it
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target

    def notes(self) -> list[tuple[str, str]]:
        """Every (file path, note text) kept here, smallest tree first; an unreadable file yields empty text."""
        if not self.root.is_dir():
            return []
        return [(str(path), read_note(path)) for path in sorted(self.root.glob(f"*{SUFFIX}"))]


def read_note(path: Path) -> str:
    """The text of a checkpoint file, or '' when it cannot be read (verification then names the file)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
