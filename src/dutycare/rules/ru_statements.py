"""Russian rule R8: an official public statement contradicted by recorded events at the same institution."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from dutycare.domain.events import Event, EventType
from dutycare.domain.vocabulary import RefusalReason, StatementClaim
from dutycare.jurisdictions.clocks import add_months
from dutycare.rules import ru_law as law
from dutycare.rules import wording as w
from dutycare.rules.model import Certainty, EvalContext, Hit, Rule, Scope, Severity
from dutycare.rules.views import InstitutionView

T = EventType
DENIALS = frozenset({StatementClaim.NO_RESTRICTIONS_ON_CARE, StatementClaim.CARE_AS_USUAL,
                     StatementClaim.ALLEGATIONS_UNFOUNDED})
RESTRICTIVE_REASONS = frozenset({RefusalReason.UNWRITTEN_DIRECTIVE, RefusalReason.WRITTEN_ORDER,
                                 RefusalReason.NO_CAPACITY, RefusalReason.NONE_GIVEN, RefusalReason.MALINGERING,
                                 RefusalReason.PAPERWORK})
MONTHS_BEFORE, MONTHS_AFTER = 24, 6
LISTED = 20
"""How many contradictions an explanation spells out; the finding's event ids still name every one."""
CLAIM_RU = {StatementClaim.NO_RESTRICTIONS_ON_CARE: "ограничений в медицинской помощи нет",
            StatementClaim.CARE_AS_USUAL: "помощь оказывается в обычном порядке",
            StatementClaim.ALLEGATIONS_UNFOUNDED: "обвинения необоснованны"}
CLAIM_EN = {StatementClaim.NO_RESTRICTIONS_ON_CARE: "no restrictions on care",
            StatementClaim.CARE_AS_USUAL: "care goes on as usual",
            StatementClaim.ALLEGATIONS_UNFOUNDED: "the allegations are unfounded"}

SUPPORTING = frozenset({T.INJURY, T.MEDICAL_FINDING})
"""Event types a finding rests on that are evidence for the person, not acts of the institution."""
FINDING_RU = {"R1": "«годен» при невыполненном лечении", "R2": "лечение рекомендовано повторно и не проведено",
              "R4": "обвинение в симуляции вопреки заключениям"}
FINDING_EN = {"R1": "found fit with treatment outstanding", "R2": "treatment recommended repeatedly, never provided",
              "R4": "malingering label against medical findings"}


class Contradiction(NamedTuple):
    """One recorded fact that may contradict a statement: a refusal, or the institution's part in a case finding.

    A named tuple: a large institution has thousands, made once per statement's institution.
    """

    events: tuple[Event, ...]
    case_ids: tuple[str, ...]
    rule_id: str | None = None
    certainty: Certainty = Certainty.ESTABLISHED


_REFUSED = T.TREATMENT_REFUSED


def candidates(view: InstitutionView) -> list[Contradiction]:
    """Restrictive refusals and the acts of R1/R2/R4 findings in the institution's family, at any date."""
    family, by_id = view.family, view.by_id
    out = [Contradiction((e,), e.case_ids) for e in view.of(_REFUSED)
           if e.institution_id in family and e.details.get("reason_kind") in RESTRICTIVE_REASONS]
    listed = {c.events[0].id for c in out}
    for finding in view.case_findings:
        if finding.rule_id not in FINDING_RU:
            continue
        acts = tuple([e for i in finding.event_ids if (e := by_id.get(i)) is not None
                      and e.institution_id in family and e.type not in SUPPORTING])
        if acts and not {e.id for e in acts} <= listed:
            out.append(Contradiction(acts, finding.case_ids, finding.rule_id, finding.certainty))
    return out


def spans_of(found: list[Contradiction]) -> list[tuple[tuple[date, date], ...]]:
    """The widest interval of each candidate's events (`PartialDate.bounds`), worked out once for all statements."""
    return [tuple([e.date.bounds() for e in item.events]) for item in found]


def in_window(found: list[Contradiction], statement: Event,
              spans: list[tuple[tuple[date, date], ...]] | None = None) -> list[Contradiction]:
    """The candidates within 24 months before to 6 months after the statement, graded by how surely they are
    (``spans``: the candidates' `spans_of`, when already known)."""
    lo, hi = statement.date.bounds()
    first, last = add_months(lo, -MONTHS_BEFORE), add_months(hi, MONTHS_AFTER)
    out = []
    for item, span in zip(found, spans_of(found) if spans is None else spans, strict=True):
        inside = overlaps = False
        for e_lo, e_hi in span:
            if e_lo >= first and e_hi <= last:
                inside = True
                break
            overlaps = overlaps or (e_hi >= first and e_lo <= last)
        if inside and item.certainty is _ESTABLISHED:
            out.append(item)
        elif inside or overlaps:
            out.append(item._replace(certainty=_POSSIBLE))
    return out


_ESTABLISHED, _POSSIBLE = Certainty.ESTABLISHED, Certainty.POSSIBLE


def check_r8(view: InstitutionView, ctx: EvalContext) -> Iterator[Hit]:
    """A statement denying restrictions on care, contradicted by events recorded at the institution."""
    found: list[Contradiction] | None = None
    spans: list[tuple[tuple[date, date], ...]] = []
    for statement in view.of(T.PUBLIC_STATEMENT):
        if statement.institution_id != view.institution.id or statement.details.get("claim") not in DENIALS:
            continue
        if found is None:
            found = candidates(view)
            spans = spans_of(found)
        dated = in_window(found, statement, spans)
        certain = any(c.certainty is _ESTABLISHED for c in dated)
        chosen = [c for c in dated if c.certainty is _ESTABLISHED or not certain]
        if chosen:
            yield _hit(view, statement, chosen, certain)


def _describe(item: Contradiction, view: InstitutionView, ru: bool) -> str:
    inst = view.institutions
    label = w.event_label_ru if ru else w.event_label_en
    acts = ", ".join(f"{label(e)} ({w.name(e.institution_id, inst, ru)})" for e in item.events)
    if item.rule_id is None:
        return acts
    title = (FINDING_RU if ru else FINDING_EN)[item.rule_id]
    return f"{item.rule_id}, {title}: {acts}"


def _hit(view: InstitutionView, statement: Event, chosen: list[Contradiction], certain: bool) -> Hit:
    """A short sentence, then one line per contradiction (`w.listed`), so that a dozen events read as a list."""
    claim = StatementClaim(str(statement.details.get("claim")))
    speaker_ru = w.name(statement.institution_id, view.institutions)
    speaker_en = w.name(statement.institution_id, view.institutions, False)
    said = statement.text("statement").strip()
    shown, more = chosen[:LISTED], len(chosen) - LISTED
    cases = tuple(sorted({case for c in chosen for case in c.case_ids}))
    lines_ru = [_describe(c, view, True) for c in shown] + ([f"и ещё {more}"] if more > 0 else [])
    lines_en = [_describe(c, view, False) for c in shown] + ([f"and {more} more"] if more > 0 else [])
    ru = (f"{w.cap(w.on_ru(statement.date))} от имени {speaker_ru} сделано публичное заявление: «{said}» "
          f"({CLAIM_RU[claim]}). Ему противоречат события, записанные в этом учреждении и подчинённых ему "
          f"({w.count_ru(len(cases), 'дело', 'дела', 'дел')}):")
    en = (f"{w.cap(w.on_en(statement.date))} {speaker_en} stated publicly: “{said}” ({CLAIM_EN[claim]}). Events "
          f"recorded at it and the institutions under it contradict this "
          f"({len(cases)} case{'' if len(cases) == 1 else 's'}):")
    events = (statement, *(e for c in chosen for e in c.events))
    return Hit(Certainty.ESTABLISHED if certain else Certainty.POSSIBLE, events, cases,
               w.listed(w.possibly_ru(ru, certain), lines_ru), w.listed(w.possibly_en(en, certain), lines_en),
               view.institution.id)


R8 = Rule(
    "R8", "Официальное заявление опровергается записанными событиями", "Official statement contradicted by records",
    Severity.HIGH, Scope.INSTITUTION, (law.CONCEALMENT, law.NO_REFUSAL),
    "A public statement at institution X claiming no restrictions on care, care as usual, or unfounded "
    "allegations, and, at X or an institution below it (parent_id), within 24 months before to 6 months after "
    "the statement: treatment refusals for a restrictive reason (unwritten directive, a written order, no "
    "capacity, none given, malingering, paperwork), or events of R1, R2 or R4 findings, across all cases. A "
    "patient's own refusal (treatment_declined) is not a restriction and never counts.",
    "statement denying restrictions + contradicting events at the same institution or below it, in the window",
    ("no contradicting event in the window",
     "refusals with reason no_indication or other (a medical judgement, not a restriction)",
     "events only at unrelated institutions or at the statement institution's parent",
     "statements with claim 'other'"),
    check_r8,
    uses=tuple(FINDING_RU),
    reads=(T.PUBLIC_STATEMENT, T.TREATMENT_REFUSED),
)
