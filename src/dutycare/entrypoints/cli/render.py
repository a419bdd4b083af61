"""Readable text for case lists, timelines and findings, in the run's language: names and words, not ids and codes."""

from __future__ import annotations

from collections.abc import Mapping

from dutycare.domain.events import Event, FieldKind
from dutycare.domain.model import Institution, Timeline
from dutycare.entrypoints.cli.speech import translator
from dutycare.entrypoints.web.labels import event_type_label, labeller
from dutycare.rules.model import Finding
from dutycare.rules.wording import split_listed

_NAMED_KINDS = (FieldKind.INSTITUTION, FieldKind.INSTITUTIONS)


def _institution(timeline: Timeline, event: Event) -> str:
    inst = timeline.institutions.get(event.institution_id or "")
    return f" — {inst.name}" if inst else ""


def detail_line(event: Event, institutions: Mapping[str, Institution], lang: str | None = None) -> str:
    """An event's details as «field: value» pairs in words: choices and yes/no translated, institutions by name."""
    tr = translator(lang)
    label = labeller(tr.gettext)
    shown = []
    for spec in event.spec.fields:
        value = event.details.get(spec.name)
        if value is None or (spec.is_reference and spec.kind not in _NAMED_KINDS):
            continue
        if spec.kind in _NAMED_KINDS:
            text = "; ".join(institutions[r].name if r in institutions else "—" for r in event.refs(spec.name))
        elif value is True or value is False:
            text = tr.gettext("yes") if value else tr.gettext("no")
        elif spec.kind is FieldKind.CHOICE and spec.name != "category":
            text = label(str(value))
        else:
            text = str(value)
        shown.append(f"{label(spec.name).lower()}: {text}")
    return "; ".join(shown)


def timeline_text(timeline: Timeline, lang: str | None = None) -> str:
    """A case's dated timeline as plain text."""
    tr = translator(lang)
    label = labeller(tr.gettext)
    case, person = timeline.case, timeline.person
    age = f", {person.age}" if person.age is not None else ""
    lines = [f"{case.title}  ({case.id})", f"  {person.pseudonym}{age} · {label(person.service_status.value)} · "
             f"{label(case.status.value)} · {case.region or '—'}", ""]
    for e in timeline.events:
        lines.append(f"  {tr.partial_date(e.date):<26} {event_type_label(e.type, tr.lang)}{_institution(timeline, e)}")
        if e.summary:
            lines.append(f"  {'':<26}   {e.summary}")
        details = detail_line(e, timeline.institutions, tr.lang)
        if details:
            lines.append(f"  {'':<26}   [{details}]")
        cites = ", ".join(timeline.sources[c.source_id].title if c.source_id in timeline.sources else c.source_id
                          for c in e.citations)
        lines.append(f"  {'':<26}   {tr.gettext('Sources')}: {cites}")
    return "\n".join(lines)


def event_phrase(event: Event, institution_names: Mapping[str, str], lang: str | None = None) -> str:
    """An event as a reader names it: its date, what happened, and where («март 2024, отказ в лечении, госпиталь»)."""
    tr = translator(lang)
    parts = [tr.partial_date(event.date), event_type_label(event.type, tr.lang).lower()]
    if event.institution_id is not None and event.institution_id in institution_names:
        parts.append(institution_names[event.institution_id])
    return ", ".join(parts)


def finding_head(f: Finding, lang: str | None = None) -> str:
    """A finding's rule, severity and certainty in words."""
    tr = translator(lang)
    label = labeller(tr.gettext)
    return f"{f.rule_id:<4} {label(f.severity.value)} · {label(f.certainty.value)}"


def explanation_lines(f: Finding, lang: str | None = None) -> list[str]:
    """A finding's explanation: its sentence, then its list (R8 names a dozen events), one item a line."""
    head, items = split_listed(f.explanation_ru if translator(lang).lang == "ru" else f.explanation_en)
    return [head, *(f"  — {item}" for item in items)]


def findings_text(found: list[Finding], lang: str | None = None, width: int = 160) -> str:
    """Findings as short lines: rule, severity, certainty and the start of the explanation."""
    tr = translator(lang)
    lines = ["  " + tr.ngettext("%(num)s finding:", "%(num)s findings:", len(found)) % {"num": len(found)}]
    for f in found:
        text = explanation_lines(f, tr.lang)[0]
        if len(text) > width:
            text = text[: width - 1].rstrip() + "…"
        lines.append(f"    {finding_head(f, tr.lang)}: {text}")
    return "\n".join(lines)
