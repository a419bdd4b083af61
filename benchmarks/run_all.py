"""Run every benchmark in this directory (bench_*.py), each in its own process, and print one table of figures.

Scripts report figures as ``BENCH {json}`` lines (see common.py); for a script that does not (yet), the last lines
of its output (where scripts print their results) are shown under the table instead.

    python benchmarks/run_all.py [--events 1000000] [--only import rules] [--timeout 7200]

``--events`` sizes everything: the import uses that many events, the ledger verification that many entries, the
rules and web benchmarks a tenth as many cases. The web benchmark runs on SQLite and then on PostgreSQL
(DUTYCARE_TEST_PG, or postgresql://127.0.0.1:5432/test), in a schema made for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PREFIX, machine, postgres_schema

HERE = Path(__file__).resolve().parent

TAIL_LINES = 12
PG_SERVER = os.environ.get("DUTYCARE_TEST_PG", "postgresql://127.0.0.1:5432/test")
ON_POSTGRESQL_TOO = {"bench_web.py"}
"""Scripts run a second time with --db naming a fresh PostgreSQL schema."""


@dataclass
class Outcome:
    """What one script printed."""

    script: str
    seconds: float
    code: int
    figures: list[dict[str, object]] = field(default_factory=list)
    other: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))


def size_options(script: Path, events: int) -> list[str]:
    """The options a script accepts for sizing, given the wanted number of events."""
    helptext = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                              timeout=120).stdout
    wanted = {"--events": events, "--entries": events, "--cases": max(1, events // 10)}
    return [str(x) for name, value in wanted.items() if re.search(rf"{name}\b", helptext) for x in (name, value)]


def runs(script: Path, events: int, timeout: float) -> list[Outcome]:
    """Run one script, and for those in ON_POSTGRESQL_TOO once more on PostgreSQL."""
    out = [run(script, events, timeout)]
    if script.name in ON_POSTGRESQL_TOO:
        with postgres_schema(PG_SERVER) as url:
            if url is not None:
                out.append(run(script, events, timeout, ["--db", url], " (PostgreSQL)"))
    return out


def run(script: Path, events: int, timeout: float, extra: list[str] | None = None, label: str = "") -> Outcome:
    """Run one script, echoing its output, and collect its figures."""
    command = [sys.executable, str(script), *size_options(script, events), *(extra or [])]
    print(f"\n=== {' '.join([script.name, *command[2:]])}", flush=True)
    started = time.perf_counter()
    outcome = Outcome(script.name + label, 0.0, 0)
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            print(line, end="", flush=True)
            if line.startswith(PREFIX):
                outcome.figures.append(json.loads(line[len(PREFIX):]))
            elif line.strip():
                outcome.other.append(line.rstrip())
        outcome.code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        outcome.code = -1
    outcome.seconds = time.perf_counter() - started
    return outcome


def _number(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return f"{int(value):,}" if isinstance(value, int | float) else str(value)


def table(outcomes: list[Outcome]) -> str:
    """One Markdown table of every reported figure, then the other scripts' figure lines."""
    lines = ["| figure | value | baseline in the same run | ratio | target | met |",
             "| --- | --- | --- | --- | --- | --- |"]
    for o in outcomes:
        for f in o.figures:
            base = f"{_number(f.get('baseline'))} ({f.get('baseline_label')})" if f.get("baseline") else "—"
            ratio = f"{f['ratio']}×" if f.get("ratio") is not None else "—"
            met = {True: "yes", False: "**no**", None: "—"}[f.get("met")]  # type: ignore[index]
            lines.append(f"| {f['figure']} | {_number(f['value'])} {f['unit']} | {base} | {ratio} | "
                         f"{f.get('target') or '—'} | {met} |")
    for o in outcomes:
        if o.code != 0:
            lines.append(f"\n{o.script}: did not finish (exit code {o.code}) after {o.seconds:.0f} s")
        if o.other and not o.figures:
            lines.append(f"\n{o.script} ({o.seconds:.0f} s):")
            lines += [f"    {x}" for x in o.other]
    return "\n".join(lines)


def main() -> int:
    """Run the suite and print the table; exit non-zero if a script failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="*", default=None, help="names such as import rules web ledger_verify")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds allowed per script")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.only]
    outcomes = [o for s in scripts for o in runs(s, args.events, args.timeout)]
    print(f"\n## Results ({time.strftime('%Y-%m-%d %H:%M')}, --events {args.events:,})\n\nmachine: {machine()}\n")
    print(table(outcomes))
    return 1 if any(o.code != 0 for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
