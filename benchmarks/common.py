"""What every benchmark script shares: reporting figures so that run_all.py can gather them into one table.

A script prints each figure as one line ``BENCH {json}`` (besides whatever it prints for people). The fields:
``figure`` (what is measured), ``value`` and ``unit``; optionally ``baseline`` (measured in the same run, same
unit), ``baseline_label``, ``ratio`` (how many times slower than the baseline, or the script's own ratio),
``target`` (text) and ``met`` (true/false).
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PREFIX = "BENCH "


def report(figure: str, value: float, unit: str, *, baseline: float | None = None, baseline_label: str = "",
           ratio: float | None = None, target: str = "", met: bool | None = None, **extra: Any) -> None:
    """Print one figure for people and for run_all.py."""
    line = {"figure": figure, "value": value, "unit": unit, "baseline": baseline, "baseline_label": baseline_label,
            "ratio": ratio, "target": target, "met": met, **extra}
    print(PREFIX + json.dumps(line, ensure_ascii=False), flush=True)


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0.0
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}{load}")


@contextmanager
def postgres_schema(url: str) -> Iterator[str | None]:
    """A URL whose search path is a new schema in the database at ``url``, dropped afterwards (None when there is no
    URL or no server to reach)."""
    import psycopg  # only the benchmarks that measure PostgreSQL need the driver

    if not url:
        yield None
        return
    schema = "bench_" + uuid.uuid4().hex[:12]
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL at {url} is not reachable ({exc}); its run is left out", flush=True)
        yield None
        return
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
