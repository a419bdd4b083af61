"""Readable text for case lists and timelines."""

from __future__ import annotations

from dutycare.domain.events import Event
from dutycare.domain.model import Timeline
from dutycare.rules.model import Finding


def _institution(timeline: Timeline, event: Event) -> str:
    inst = timeline.institutions.get(event.institution_id or "")
    return f" — {inst.name}" if inst else ""


def _detail_line(event: Event) -> str:
    shown = []
    for spec in event.spec.fields:
        value = event.details.get(spec.name)
        if value is None or spec.is_reference:
            continue
        shown.append(f"{spec.name}: {value}")
    return "; ".join(shown)


def timeline_text(timeline: Timeline, lang: str = "ru") -> str:
    """A case's dated timeline as plain text."""
    case, person = timeline.case, timeline.person
    age = f", {person.age}" if person.age is not None else ""
    lines = [f"{case.id}  {case.title}", f"  {person.pseudonym}{age} · {person.service_status.value} · "
             f"{case.status.value} · {case.region or '—'}", ""]
    for e in timeline.events:
        label = e.spec.label_ru if lang == "ru" else e.spec.label_en
        lines.append(f"  {e.date!s:<22} {label}{_institution(timeline, e)}")
        if e.summary:
            lines.append(f"  {'':<22}   {e.summary}")
        details = _detail_line(e)
        if details:
            lines.append(f"  {'':<22}   [{details}]")
        cites = ", ".join(timeline.sources[c.source_id].title if c.source_id in timeline.sources else c.source_id
                          for c in e.citations)
        lines.append(f"  {'':<22}   источник / source: {cites}")
    return "\n".join(lines)


def findings_text(found: list[Finding], lang: str = "ru", width: int = 160) -> str:
    """Findings as short lines: rule, severity, certainty and the start of the explanation."""
    title = "  Выявленные нарушения" if lang == "ru" else "  Findings"
    lines = [f"{title} ({len(found)}):"]
    for f in found:
        text = f.explanation_ru if lang == "ru" else f.explanation_en
        if len(text) > width:
            text = text[: width - 1].rstrip() + "…"
        lines.append(f"    {f.rule_id:<4} {f.severity.value:<6} {f.certainty.value:<11} {text}")
    return "\n".join(lines)
