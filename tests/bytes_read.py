"""How many bytes a piece of work read, from the kernel's own count (Linux /proc/self/io, ``rchar``).

Tests of absurd inputs bound the work an import does by what it reads, not by a clock: a reader that stops at
the first lines of junk reads little whatever the machine's load, and one that reads a file twice is caught.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")
PROC_IO = Path("/proc/self/io")


def _rchar() -> int:
    for line in PROC_IO.read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("/proc/self/io has no rchar line")


def bytes_read(run: Callable[[], T]) -> tuple[T, int]:
    """Run work in this process; return its result and the bytes this process read meanwhile."""
    if not PROC_IO.exists():
        pytest.skip("the kernel's per-process read count (/proc/self/io) is Linux's")
    before = _rchar()
    result = run()
    return result, _rchar() - before
