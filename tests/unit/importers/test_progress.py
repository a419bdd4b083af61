"""The progress display: a live line on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import io

from dutycare.adapters.importers.progress import ImportProgress


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_say_records_rate_and_time_left() -> None:
    out, clock = io.StringIO(), Clock()
    p = ImportProgress(out, live=False, every=10, clock=clock)
    p.start("checking")
    clock.now = 5
    p.update(50_000, 0.25)
    clock.now = 10
    p.update(100_000, 0.5)
    p.start("writing")
    p.finish()
    lines = out.getvalue().splitlines()
    assert lines[0] == "dutycare import: checking…"
    assert lines[1] == "dutycare import: checking: 100,000 records, 10,000/s, 50%, about 10 s left"
    assert lines[2].startswith("dutycare import: checking: 100,000 records, 10,000/s, took 10 s")
    assert lines[3] == "dutycare import: writing…"


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    out, clock = io.StringIO(), Clock()
    p = ImportProgress(out, live=True, every=0.25, clock=clock)
    p.start("writing")
    for i in range(1, 5):
        clock.now = i
        p.update(i * 1000, i / 8)
    p.finish()
    text = out.getvalue()
    assert text.count("\r\x1b[2K") == 5 and text.endswith("took 4 s\n")
    assert "about 4 s left" in text
