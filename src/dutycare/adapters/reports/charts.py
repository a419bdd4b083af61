"""Charts drawn from protected tables only: SVG (no script, no external resource) for pages, PNG for PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure  # the Figure API draws without pyplot's global state or a display

from dutycare.adapters.reports.wording import TEXT, event_label, month_label, period_label
from dutycare.service_layer.pattern_model import CaseSummary, PatternTable

FLAGGED, PLAIN, MUTED = "#b3261e", "#2f5d8a", "#9aa7b4"
STYLE: dict[Any, Any] = {"svg.hashsalt": "dutycare", "svg.fonttype": "path", "font.family": "DejaVu Sans",
                         "font.size": 9}


@contextmanager
def _style() -> Iterator[None]:
    with rc_context(STYLE):
        yield


def _save(fig: Figure, fmt: str) -> bytes:
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(out, format=fmt, bbox_inches="tight", dpi=150, metadata=metadata)
    return out.getvalue()


def rate_chart(table: PatternTable, lang: str, fmt: str = "svg") -> bytes:
    """Each shown institution's rate with its interval; flagged ones in red; the country's rate as a line."""
    rows = [r for r in table.rows if r.rate is not None and r.low is not None and r.high is not None]
    with _style():
        fig = Figure(figsize=(7.5, max(1.6, 0.28 * len(rows) + 0.9)))
        ax = fig.add_subplot()
        for y, r in enumerate(reversed(rows)):
            colour = FLAGGED if r.flag == "higher" else PLAIN
            assert r.rate is not None and r.low is not None and r.high is not None
            ax.errorbar([r.rate * 100], [y], xerr=[[(r.rate - r.low) * 100], [(r.high - r.rate) * 100]], fmt="o",
                        color=colour, ecolor=colour, capsize=3, markersize=4)
        ax.set_yticks(range(len(rows)), [r.label[:46] for r in reversed(rows)])
        if table.total is not None and table.total.rate is not None:
            ax.axvline(table.total.rate * 100, color=MUTED, linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
        ax.set_title(TEXT[lang]["chart_rate"], loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        return _save(fig, fmt)


def trend_chart(table: PatternTable, lang: str, fmt: str = "svg") -> bytes:
    """Cases per period and those with the measure; a suppressed period is left empty."""
    rows = table.rows
    with _style():
        fig = Figure(figsize=(7.5, 2.8))
        ax = fig.add_subplot()
        xs = range(len(rows))
        ax.bar(xs, [r.cases or 0 for r in rows], color=MUTED, label=TEXT[lang]["cases"])
        ax.bar(xs, [r.with_measure or 0 for r in rows], color=FLAGGED, label=TEXT[lang]["with"])
        ax.set_xticks(list(xs), [period_label(r.key, lang) for r in rows], rotation=60, ha="right")
        ax.legend(frameon=False, loc="upper left")
        ax.set_title(TEXT[lang]["chart_trend"], loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        return _save(fig, fmt)


def timeline_chart(summary: CaseSummary, lang: str, fmt: str = "svg") -> bytes:
    """One anonymised case's events along the months they fall in."""
    months = sorted({e.month for e in summary.events})
    where = {m: i for i, m in enumerate(months)}
    with _style():
        fig = Figure(figsize=(7.5, max(1.4, 0.22 * len(summary.events) + 0.6)))
        ax = fig.add_subplot()
        for y, e in enumerate(reversed(summary.events)):
            ax.plot([where[e.month]], [y], "o", color=FLAGGED if e.event_type == "treatment_refused" else PLAIN)
        ax.set_yticks(range(len(summary.events)), [event_label(e.event_type, lang) for e in reversed(summary.events)])
        ax.set_xticks(range(len(months)), [month_label(m, lang) for m in months], rotation=60, ha="right")
        ax.set_title(summary.label, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        return _save(fig, fmt)
