"""The synthetic data command: realistic, deterministic case records for trying dutycare out and benchmarking it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dutycare.entrypoints.cli.common import fail
from dutycare.entrypoints.cli.speech import _, record_kind
from dutycare.synth import write_jsonl


def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSON Lines file to write ('-' for standard output).",
                                      show_default=False)],
    cases: Annotated[int, typer.Option("--cases", min=1, help="How many cases (about ten events each).")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same file, byte for byte.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
) -> None:
    """Write a synthetic data set (made-up people, real-looking patterns) that 'dutycare import' reads."""
    if str(out) == "-":
        stats = write_jsonl(sys.stdout, cases, seed)
    else:
        if out.exists() and not force:
            fail(_("%(path)s exists already; pass --force to overwrite it") % {"path": out})
        with out.open("w", encoding="utf-8", newline="\n") as f:
            stats = write_jsonl(f, cases, seed)
    summary = ", ".join(f"{record_kind(kind)}: {n}" for kind, n in sorted(stats.counts.items()))
    typer.echo(_("Wrote %(summary)s (seed %(seed)s) to %(path)s.") % {"summary": summary, "seed": seed, "path": out},
               err=True)
