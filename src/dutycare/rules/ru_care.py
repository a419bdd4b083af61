"""Russian rules on medical care within one case: R1–R5 and R9."""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter

from dutycare.domain.events import Event, EventType
from dutycare.domain.vocabulary import CausalLink, RefusalReason
from dutycare.rules import ru_law as law
from dutycare.rules import wording as w
from dutycare.rules.model import Certainty, EvalContext, Hit, Rule, Scope, Severity
from dutycare.rules.views import FIT, CaseView, category, documents_injury, precedes, standing_at

T = EventType
_order = attrgetter("date.earliest", "date.latest", "id")
"""By date, then id, as a C-level key."""
E, P = Certainty.ESTABLISHED, Certainty.POSSIBLE
_UNWRITTEN, _MALINGERING = RefusalReason.UNWRITTEN_DIRECTIVE, RefusalReason.MALINGERING
_NOT_STATED = CausalLink.NOT_STATED
_RECOMMENDED, _DECISION, _REFUSED = T.TREATMENT_RECOMMENDED, T.FITNESS_DECISION, T.TREATMENT_REFUSED
_MEDICAL_FINDING, _LABEL = T.MEDICAL_FINDING, T.MALINGERING_LABEL
"""Enum members read in loops, as module names (on Python 3.11 reading one off its class is slow)."""


def pick(graded: list[tuple[Certainty, Event]]) -> tuple[Certainty, list[Event]] | None:
    """The established items if any, else the possible ones, with the certainty they support."""
    certain = [e for c, e in graded if c is E]
    if certain:
        return E, certain
    possible = [e for c, e in graded if c is P]
    return (P, possible) if possible else None


def outstanding(view: CaseView, moment: Event) -> list[tuple[Certainty, Event]]:
    """Recommendations that still stood at ``moment``: recommended before it, neither provided nor declined by the
    patient (323-FZ art. 20) in between; a refusal recorded without the informed-refusal form leaves it possible."""
    out = []
    for recommendations, closed, weak in view.closures:
        for rec in recommendations:
            state = standing_at(rec, moment, closed, weak)
            if state is not None:
                out.append((state, rec))
    return out


def _treatments_ru(recs: list[Event]) -> str:
    return "; ".join(f"«{r.text('treatment').strip()}» (рекомендовано {w.on_ru(r.date)})" for r in recs)


def _treatments_en(recs: list[Event]) -> str:
    return "; ".join(f"“{r.text('treatment').strip()}” (recommended {w.on_en(r.date)})" for r in recs)


def check_r1(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A fit decision (А/Б) while a recommended treatment was outstanding."""
    if not view.has(_RECOMMENDED):
        return
    for decision in view.of(_DECISION):
        cat = category(decision)
        if cat not in FIT or (picked := pick(outstanding(view, decision))) is None:
            continue
        certainty, recs = picked
        who_ru, who_en = w.name(decision.institution_id, view.institutions), w.name(
            decision.institution_id, view.institutions, ru=False)
        ru = (f"{w.cap(w.on_ru(decision.date))} ВВК {who_ru} признала военнослужащего годным (категория {cat}), "
              f"хотя рекомендованное лечение не было проведено: {_treatments_ru(recs)}.")
        en = (f"{w.cap(w.on_en(decision.date))} the commission {who_en} found the service member fit (category "
              f"{cat}) although recommended treatment had not been provided: {_treatments_en(recs)}.")
        yield Hit(certainty, (*recs, decision), (view.case_id,), w.possibly_ru(ru, certainty is E),
                  w.possibly_en(en, certainty is E), decision.institution_id)


def check_r2(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """The same treatment recommended two or more times and never provided after those recommendations."""
    for treatment, recs in view.recommended.items():
        if len(recs) < 2:
            continue
        # A patient's own refusal (323-FZ art. 20) ends the matter as a provision does: it is not a denial.
        ended = [*view.provided.get(treatment, ()), *view.declined.get(treatment, ())]
        provided = [p.date.bounds() for p in ended]
        # Certainly unfulfilled: every provision certainly precedes it. Possibly: none certainly follows it.
        last_end = max((hi for _, hi in provided), default=None)
        last_start = max((lo for lo, _ in provided), default=None)
        certain = [r for r in recs if last_end is None or last_end < r.date.bounds()[0]]
        possible = [r for r in recs if last_start is None or last_start < r.date.bounds()[1]]
        distinct = len(certain) >= 2 and certain[0].date.bounds()[1] < max(r.date.bounds()[0] for r in certain)
        if distinct:
            certainty, chosen = E, certain
        elif len(possible) >= 2:
            certainty, chosen = P, possible
        else:
            continue
        name = chosen[0].text("treatment").strip()
        ru = (f"Лечение «{name}» рекомендовано {w.times_ru(len(chosen))} ({w.dates_ru(chosen)}), "
              "но так и не было проведено.")
        en = f"Treatment “{name}” was recommended {len(chosen)} times ({w.dates_en(chosen)}) and never provided."
        yield Hit(certainty, tuple(chosen), (view.case_id,), w.possibly_ru(ru, certainty is E),
                  w.possibly_en(en, certainty is E), chosen[-1].institution_id)


def check_r3(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A refusal whose stated reason is an unnamed or unwritten directive (not one that names a dated written
    order: that order is recorded, and whether it was published is for a lawyer to judge)."""
    for refusal in view.of(_REFUSED):
        if refusal.details.get("reason_kind") != _UNWRITTEN or _names_an_order(refusal):
            continue
        treatment = refusal.text("treatment").strip()
        where_ru, where_en = w.name(refusal.institution_id, view.institutions), w.name(
            refusal.institution_id, view.institutions, ru=False)
        ru = (f"{w.cap(w.on_ru(refusal.date))} в лечении «{treatment}» отказано ({where_ru}) со ссылкой на "
              "неназванное или неписаное указание.")
        en = (f"{w.cap(w.on_en(refusal.date))} treatment “{treatment}” was refused ({where_en}) citing an unnamed "
              "or unwritten directive.")
        yield Hit(E, (refusal,), (view.case_id,), ru, en, refusal.institution_id)


def _names_an_order(refusal: Event) -> bool:
    return bool(refusal.text("order_reference").strip()) and refusal.date_detail("order_date") is not None


def _labels(view: CaseView) -> list[list[Event]]:
    """Malingering labels, grouped when recorded for the same dates at the same institution (one act, two records)."""
    refusals = [e for e in view.of(_REFUSED) if e.details.get("reason_kind") == _MALINGERING]
    groups: dict[tuple[object, ...], list[Event]] = {}
    for label in sorted([*view.of(_LABEL), *refusals], key=_order):
        groups.setdefault((*label.date.bounds(), label.institution_id), []).append(label)
    return list(groups.values())


def check_r4(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A malingering label after an objective medical finding that documents the injury."""
    findings = [e for e in view.of(_MEDICAL_FINDING) if documents_injury(e)]
    if not findings:
        return
    for labels in _labels(view):
        label = labels[0]
        graded = [(c, f) for f in findings if (c := precedes(f, label)) is not None]
        if (picked := pick(graded)) is None:
            continue
        certainty, basis = picked
        where_ru, where_en = w.name(label.institution_id, view.institutions), w.name(
            label.institution_id, view.institutions, ru=False)
        ru = (f"{w.cap(w.on_ru(label.date))} военнослужащий назван симулянтом ({where_ru}), хотя медицинские "
              f"заключения ({w.dates_ru(basis)}) подтверждают травму.")
        en = (f"{w.cap(w.on_en(label.date))} the service member was called a malingerer ({where_en}) although the "
              f"medical findings ({w.dates_en(basis)}) document the injury.")
        yield Hit(certainty, (*basis, *labels), (view.case_id,), w.possibly_ru(ru, certainty is E),
                  w.possibly_en(en, certainty is E), label.institution_id)


def check_r9(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A fitness decision whose causal-link finding is missing: any В, Г or Д conclusion, and a fit one after a
    recorded injury."""
    for decision in view.of(_DECISION):
        link = decision.details.get("causal_link")
        if link is not None and link != _NOT_STATED:
            continue
        cat = category(decision)
        unfit = cat is not None and cat not in FIT
        injury = [c for e in view.injury_evidence if (c := precedes(e, decision)) is not None]
        if not injury and not unfit:
            continue
        # "not_stated" is what the conclusion says; a missing value may only mean it was not entered.
        certainty = E if link == _NOT_STATED and (unfit or E in injury) else P
        who_ru, who_en = w.name(decision.institution_id, view.institutions), w.name(
            decision.institution_id, view.institutions, ru=False)
        state_ru = "не содержит" if link else "по записи не содержит (проверьте текст заключения)"
        state_en = "does not state" if link else "as recorded does not state (check the conclusion itself)"
        what_ru = "увечья или заболевания" if unfit and not injury else "травмы"
        what_en = "the injury or illness" if unfit and not injury else "the injury"
        ru = (f"Заключение ВВК {who_ru} {w.of_ru(decision.date)}{f' (категория {cat})' if unfit else ''} "
              f"{state_ru} вывода о причинной связи {what_ru} с военной службой. Его можно обжаловать в "
              "вышестоящую ВВК или в суд; независимая военно-врачебная экспертиза может подкрепить жалобу.")
        en = (f"The conclusion of the commission {who_en} of {w.date_en(decision.date)}"
              f"{f' (category {cat})' if unfit else ''} {state_en} how {what_en} relates to service. It can be "
              "appealed to a higher commission or in court; an independent military-medical expertise may support "
              "the appeal.")
        yield Hit(certainty, (decision,), (view.case_id,), ru, en, decision.institution_id)


R1 = Rule(
    "R1", "Заключение «годен» при невыполненном рекомендованном лечении",
    "Found fit while recommended treatment is outstanding", Severity.HIGH, Scope.CASE,
    (law.FITNESS_SCHEME, law.SERVICE_MEMBERS_HEALTH, law.RIGHT_TO_CARE, law.PATIENT_FIRST, law.NO_REFUSAL,
     law.COMMISSION_APPEAL, law.INDEPENDENT_EXPERTISE, law.INFORMED_REFUSAL),
    "A fitness decision in category А or Б follows a treatment recommendation, and that treatment (matched by "
    "case-folded, whitespace-normalised name) was neither provided nor declined by the patient (treatment_declined, "
    "323-FZ art. 20) between the recommendation and the decision. A patient's refusal recorded without the "
    "informed-refusal form leaves the finding 'possible'. One finding per decision, listing every outstanding "
    "recommendation.",
    "recommendation before a fit (А/Б) decision and no provision of that treatment between them",
    ("the treatment was provided between the recommendation and the decision (a provision on either day counts)",
     "the patient declined the treatment (informed refusal) between the recommendation and the decision",
     "the recommendation is dated after the decision",
     "the decision is В, Г or Д",
     "a month-only recommendation in the month of the decision gives 'possible', not 'established'"),
    check_r1,
)
R2 = Rule(
    "R2", "Лечение рекомендовано повторно и не проведено", "Treatment recommended repeatedly and never provided",
    Severity.HIGH, Scope.CASE,
    (law.PATIENT_FIRST, law.SERVICE_MEMBERS_HEALTH, law.RIGHT_TO_CARE, law.NO_REFUSAL, law.INFORMED_REFUSAL),
    "The same treatment is recommended at least twice and no provision of it, nor a refusal of it by the patient "
    "(323-FZ art. 20, which is the patient's decision, not a denial), follows those recommendations. "
    "'Established' needs two such recommendations certainly on different days.",
    "two or more recommendations of one treatment with no provision on or after them",
    ("a single recommendation",
     "the treatment was provided after the recommendations (a provision on the day of one counts)",
     "the patient declined the treatment after the recommendations",
     "two recommendations that may be the same day give 'possible' at most"),
    check_r2,
)
R3 = Rule(
    "R3", "Отказ в лечении со ссылкой на неписаное указание", "Treatment refused citing an unwritten directive",
    Severity.HIGH, Scope.CASE, (law.UNPUBLISHED_ACTS, law.PATIENT_FIRST, law.NO_REFUSAL),
    "A treatment refusal whose reason kind is 'unwritten_directive' (an unnamed, oral or unpublished order). "
    "The reason text is not quoted in the finding because it may identify people.",
    "treatment_refused with reason_kind unwritten_directive",
    ("refusals with any other reason kind (no_indication, no_capacity, paperwork, ...)",
     "a refusal citing a named, dated written order (reason kind written_order, or order_reference and order_date "
     "recorded): the order is on the record, and whether it was officially published (Constitution art. 15 "
     "part 3) is for a lawyer to judge",
     "the patient's own refusal (treatment_declined): not a refusal by the institution"),
    check_r3,
)
R4 = Rule(
    "R4", "Обвинение в симуляции вопреки объективным данным", "Malingering label against objective findings",
    Severity.MEDIUM, Scope.CASE, (law.PATIENT_FIRST, law.RIGHT_TO_CARE),
    "A malingering label (or a refusal whose reason kind is 'malingering') comes after a medical finding that "
    "documents the injury (documents_injury absent or true).",
    "malingering label after a medical finding that documents the injury",
    ("the label precedes every such finding",
     "the only findings are marked documents_injury = false",
     "a finding on the same day as the label gives 'possible'"),
    check_r4,
)
R9 = Rule(
    "R9", "Нет вывода о причинной связи в заключении ВВК", "Fitness conclusion missing the causal-link finding",
    Severity.MEDIUM, Scope.CASE, (law.CAUSAL_LINK, law.INSURANCE, law.COMMISSION_APPEAL, law.INDEPENDENT_EXPERTISE),
    "A conclusion of category В, Г or Д, whether or not the injury itself is recorded in the case, or a fit "
    "conclusion after a recorded injury, has causal_link 'not_stated' (established) or none recorded (possible: "
    "the caseworker may not have entered it; for a fit conclusion, established also needs the injury certainly "
    "before it). The finding points to the appeal to a higher commission or a court and to an independent "
    "military-medical expertise.",
    "fitness decision in category В/Г/Д, or after an injury, without a stated causal link",
    ("causal link recorded (military_trauma, service_illness or general_illness)",
     "a fit (А/Б) decision with no injury or injury-documenting finding before it"),
    check_r9,
)
