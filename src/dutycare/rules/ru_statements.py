"""Russian rule R8: an official public statement contradicted by recorded events at the same institution."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from dutycare.domain.events import Event, EventType
from dutycare.domain.vocabulary import RefusalReason, StatementClaim
from dutycare.jurisdictions.clocks import add_months
from dutycare.rules import ru_law as law
from dutycare.rules import wording as w
from dutycare.rules.model import Certainty, EvalContext, Hit, Rule, Scope, Severity
from dutycare.rules.views import InstitutionView, within

T = EventType
DENIALS = frozenset({StatementClaim.NO_RESTRICTIONS_ON_CARE, StatementClaim.CARE_AS_USUAL,
                     StatementClaim.ALLEGATIONS_UNFOUNDED})
RESTRICTIVE_REASONS = frozenset({RefusalReason.UNWRITTEN_DIRECTIVE, RefusalReason.NO_CAPACITY,
                                 RefusalReason.NONE_GIVEN, RefusalReason.MALINGERING, RefusalReason.PAPERWORK})
CONTRADICTING_RULES = frozenset({"R1", "R2", "R4"})
MONTHS_BEFORE, MONTHS_AFTER = 24, 6
CLAIM_RU = {StatementClaim.NO_RESTRICTIONS_ON_CARE: "ограничений в медицинской помощи нет",
            StatementClaim.CARE_AS_USUAL: "помощь оказывается в обычном порядке",
            StatementClaim.ALLEGATIONS_UNFOUNDED: "обвинения необоснованны"}
CLAIM_EN = {StatementClaim.NO_RESTRICTIONS_ON_CARE: "no restrictions on care",
            StatementClaim.CARE_AS_USUAL: "care goes on as usual",
            StatementClaim.ALLEGATIONS_UNFOUNDED: "the allegations are unfounded"}

Item = tuple[Certainty, Event, tuple[str, ...]]


def _refusals(view: InstitutionView, first: date, last: date) -> list[Item]:
    out: list[Item] = []
    for event in view.events:
        if (event.type is T.TREATMENT_REFUSED and event.institution_id in view.family
                and event.details.get("reason_kind") in RESTRICTIVE_REASONS
                and (c := within(event, first, last)) is not None):
            out.append((c, event, event.case_ids))
    return out


def _from_findings(view: InstitutionView, first: date, last: date) -> list[Item]:
    out: list[Item] = []
    for finding in view.case_findings:
        if finding.rule_id not in CONTRADICTING_RULES:
            continue
        for event_id in finding.event_ids:
            event = view.by_id.get(event_id)
            if event is None or event.institution_id not in view.family:
                continue
            c = within(event, first, last)
            if c is not None:
                weakest = Certainty.POSSIBLE if Certainty.POSSIBLE in (c, finding.certainty) else c
                out.append((weakest, event, finding.case_ids))
    return out


def contradictions(view: InstitutionView, statement: Event) -> list[Item]:
    """Restrictive refusals and R1/R2/R4 situations in the institution's family, within the statement's window."""
    lo, hi = statement.date.bounds()
    first, last = add_months(lo, -MONTHS_BEFORE), add_months(hi, MONTHS_AFTER)
    best: dict[str, Item] = {}
    for item in [*_refusals(view, first, last), *_from_findings(view, first, last)]:
        known = best.get(item[1].id)
        if known is None or (known[0] is Certainty.POSSIBLE and item[0] is Certainty.ESTABLISHED):
            best[item[1].id] = item
    return list(best.values())


def check_r8(view: InstitutionView, ctx: EvalContext) -> Iterator[Hit]:
    """A statement denying restrictions on care, contradicted by events recorded at the institution."""
    for statement in view.events:
        if (statement.type is not T.PUBLIC_STATEMENT or statement.institution_id != view.institution.id
                or statement.details.get("claim") not in DENIALS):
            continue
        items = contradictions(view, statement)
        certain = any(c is Certainty.ESTABLISHED for c, _, _ in items)
        chosen = [(e, cases) for c, e, cases in items if c is Certainty.ESTABLISHED or not certain]
        if not chosen:
            continue
        yield _hit(view, statement, chosen, certain)


def _hit(view: InstitutionView, statement: Event, chosen: list[tuple[Event, tuple[str, ...]]], certain: bool) -> Hit:
    claim = StatementClaim(str(statement.details.get("claim")))
    inst = view.institutions
    cases = sorted({c for _, cs in chosen for c in cs})
    ru_list = "; ".join(f"{w.event_label_ru(e)} ({w.name(e.institution_id, inst)})" for e, _ in chosen)
    en_list = "; ".join(f"{w.event_label_en(e)} ({w.name(e.institution_id, inst, False)})" for e, _ in chosen)
    ru = (f"{w.date_ru(statement.date)} {w.name(statement.institution_id, inst)} публично заявил(о): "
          f"«{statement.text('statement').strip()}» ({CLAIM_RU[claim]}). Этому противоречат записанные события в "
          f"этом учреждении и подчинённых ему: {ru_list} (дела: {', '.join(cases)}).")
    en = (f"On {w.date_en(statement.date)} {w.name(statement.institution_id, inst, False)} stated publicly: "
          f"“{statement.text('statement').strip()}” ({CLAIM_EN[claim]}). Events recorded at it and the "
          f"institutions under it contradict this: {en_list} (cases: {', '.join(cases)}).")
    return Hit(Certainty.ESTABLISHED if certain else Certainty.POSSIBLE, (statement, *(e for e, _ in chosen)),
               tuple(cases), w.possibly_ru(ru, certain), w.possibly_en(en, certain), view.institution.id)


R8 = Rule(
    "R8", "Официальное заявление опровергается записанными событиями", "Official statement contradicted by records",
    Severity.HIGH, Scope.INSTITUTION, (law.CONCEALMENT, law.NO_REFUSAL),
    "A public statement at institution X claiming no restrictions on care, care as usual, or unfounded "
    "allegations, and, at X or an institution below it (parent_id), within 24 months before to 6 months after "
    "the statement: treatment refusals for a restrictive reason (unwritten directive, no capacity, none given, "
    "malingering, paperwork), or events of R1, R2 or R4 findings, across all cases.",
    "statement denying restrictions + contradicting events at the same institution or below it, in the window",
    ("no contradicting event in the window",
     "refusals with reason no_indication or other (a medical judgement, not a restriction)",
     "events only at unrelated institutions or at the statement institution's parent",
     "statements with claim 'other'"),
    check_r8,
)
