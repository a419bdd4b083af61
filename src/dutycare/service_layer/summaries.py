"""Anonymised case summaries: a label instead of the pseudonym, an age band, months instead of days, the public
bodies named, no identifying field and no free text; a rare region × unit × age band is flagged and its unit
left unnamed."""

from __future__ import annotations

from collections.abc import Sequence

from dutycare.domain.errors import InvalidInput, Problem
from dutycare.domain.vocabulary import InstitutionType
from dutycare.service_layer.access import User
from dutycare.service_layer.pattern_model import CaseSummary, SummaryEvent
from dutycare.service_layer.ports import StaffUnitOfWork

AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 120))
RARE_BELOW = 3  # a combination fewer cases share than this is rare
LETTERS = "АБВГДЕЖИКЛМНПРСТУФХЦЧШЭЮЯ"


def age_band(age: int | None) -> tuple[int, int] | None:
    """The band an age falls in (None when it is not known)."""
    if age is None:
        return None
    return next(((lo, hi) for lo, hi in AGE_BANDS if lo <= age <= hi), None)


def summary_label(n: int) -> str:
    """«военнослужащий А», «… Б», …, then «А1», «Б1» (the letter says nothing of the person)."""
    letter = LETTERS[n % len(LETTERS)] + (str(n // len(LETTERS)) if n >= len(LETTERS) else "")
    return f"военнослужащий {letter}"


def case_summaries(uow: StaffUnitOfWork, viewer: User, case_ids: Sequence[str],
                   population: Sequence[str]) -> list[CaseSummary]:
    """Summaries of these cases (each must be among the publication's cases), inside the caller's unit of work."""
    if not case_ids:
        return []
    members = set(population)
    outside = [c for c in case_ids if c not in members]
    if outside:
        raise InvalidInput([Problem("publication", "summaries", f"not among the publication's cases: "
                                    f"{', '.join(outside[:5])}")])
    out = []
    for n, case_id in enumerate(dict.fromkeys(case_ids)):
        t = uow.records.timeline(case_id)
        band = age_band(t.person.age)
        units = sorted({e.institution_id for e in t.events if e.institution_id
                        and t.institutions.get(e.institution_id) is not None
                        and t.institutions[e.institution_id].type is InstitutionType.MILITARY_UNIT})
        rare = any(uow.patterns.combination_count(viewer, t.case.region, u, band) < RARE_BELOW for u in units)
        events = []
        for e in t.events:
            inst = t.institutions.get(e.institution_id) if e.institution_id else None
            name = inst.name if inst else None
            if inst is not None and inst.type is InstitutionType.MILITARY_UNIT and rare:
                name = None  # a rare combination: the unit is left unnamed
            events.append(SummaryEvent(e.date.earliest.strftime("%Y-%m"), e.type.value, name))
        rules = tuple(sorted({f.rule_id for f in uow.findings.for_case(case_id)}, key=lambda r: (len(r), r)))
        out.append(CaseSummary(summary_label(n), f"{band[0]}–{band[1]}" if band else None,
                               t.person.service_status.value, t.case.region, tuple(events), rules, rare))
    return out
