"""Progress of a long import on standard error: a live line on a terminal, periodic plain lines in a log."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from dutycare.service_layer.ports import Progress

PHASES = {"importing": "checking and writing", "checking": "checking", "writing": "writing",
          "findings": "updating findings", "indexing": "building the search index", "committing": "committing"}


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


class ImportProgress(Progress):
    """Shows records done, the rate, and the time left (service_layer.bulk_import.Progress)."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, every: float | None = None,
                 clock: Callable[[], float] = time.monotonic, say: Callable[[str], str] = str) -> None:
        self.stream = stream or sys.stderr
        self.say = say  # puts each English phrase of the display into the reader's language
        self.live = self.stream.isatty() if live is None else live
        self.every = every if every is not None else (0.25 if self.live else 10.0)
        self.clock = clock
        self.phase = ""
        self.started = self.last = 0.0
        self.records = 0
        self.fraction: float | None = None
        self.shown = False

    def start(self, phase: str) -> None:
        """Begin a phase (and close the previous one's line)."""
        if self.phase:
            self._show(final=True)
        self.phase = self.say(PHASES.get(phase, phase))
        self.started = self.last = self.clock()
        self.records, self.fraction = 0, None
        if not self.live:
            self.stream.write(f"dutycare import: {self.phase}…\n")
            self.stream.flush()

    def update(self, records: int, fraction: float | None) -> None:
        """Note progress; show it when the display is due."""
        self.records, self.fraction = records, fraction
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._show()

    def finish(self) -> None:
        """End the display."""
        if self.phase:
            self._show(final=True)
        self.phase = ""

    def line(self, final: bool = False) -> str:
        """The progress text for now."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = self.records / elapsed
        parts = [self.say("%(phase)s: %(num)s records") % {"phase": self.phase, "num": f"{self.records:,}"},
                 f"{rate:,.0f}/s"]
        if final:
            parts.append(self.say("took %(time)s") % {"time": _duration(elapsed)})
        elif self.fraction:
            left = _duration(elapsed * (1 - self.fraction) / self.fraction)
            parts.append(self.say("%(done)s, about %(time)s left") % {"done": f"{self.fraction:.0%}", "time": left})
        return ", ".join(parts)

    def _show(self, final: bool = False) -> None:
        if self.phase in {self.say(PHASES[p]) for p in ("findings", "indexing", "committing")} and not self.live:
            return
        text = self.line(final)
        if self.live:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        else:
            self.stream.write(f"dutycare import: {text}\n")
        self.stream.flush()
