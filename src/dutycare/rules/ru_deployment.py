"""Russian rule R5: sent back to the front before recovering."""

from __future__ import annotations

from collections.abc import Iterator

from dutycare.domain.events import Event, EventType
from dutycare.rules import ru_law as law
from dutycare.rules import wording as w
from dutycare.rules.model import Certainty, EvalContext, Hit, Rule, Scope, Severity
from dutycare.rules.ru_care import outstanding, pick
from dutycare.rules.views import CaseView, category, standing_at

T = EventType
_RECOMMENDED, _DECISION, _DEPLOYED = T.TREATMENT_RECOMMENDED, T.FITNESS_DECISION, T.DEPLOYED
E, P = Certainty.ESTABLISHED, Certainty.POSSIBLE
"""Enum members read per event, as module names (on Python 3.11 reading one off its class is slow)."""


def unrecovered(view: CaseView, moment: Event) -> list[tuple[Certainty, Event]]:
    """Unfit decisions (В, Г, Д) and not-recovered discharges still standing at ``moment``.

    A later fit decision ends either; a later discharge as recovered also ends a not-recovered discharge.
    """
    fit = view.fit_decisions
    recovered, not_recovered = view.discharges
    out: list[tuple[Certainty, Event]] = []
    for decision, _ in view.unfit_decisions:
        if (state := standing_at(decision, moment, fit)) is not None:
            out.append((state, decision))
    if not_recovered:
        ended = [*fit, *recovered]
        for discharge in not_recovered:
            if (state := standing_at(discharge, moment, ended)) is not None:
                out.append((state, discharge))
    return out


def _reason_ru(event: Event) -> str:
    if event.type is _RECOMMENDED:
        return f"не проведено лечение «{event.text('treatment').strip()}», рекомендованное {w.on_ru(event.date)}"
    if event.type is _DECISION:
        return f"действовало заключение ВВК {w.of_ru(event.date)} (категория {category(event)})"
    return f"при выписке ({w.date_ru(event.date)}) выздоровление не наступило"


def _reason_en(event: Event) -> str:
    if event.type is _RECOMMENDED:
        return (f"treatment “{event.text('treatment').strip()}” recommended {w.on_en(event.date)} had not been "
                "provided")
    if event.type is _DECISION:
        return f"the commission's decision of {w.date_en(event.date)} (category {category(event)}) stood"
    return f"on discharge ({w.date_en(event.date)}) the service member had not recovered"


def _injured_before(evidence: list[Event], deployment: Event) -> tuple[Certainty, Event] | None:
    """The first injury evidence certainly before the deployment, else the first that may be before it."""
    d_lo, d_hi = deployment.date.bounds()
    possible = None
    for event in evidence:
        e_lo, e_hi = event.date.bounds()
        if e_hi < d_lo:
            return E, event
        if possible is None and e_lo <= d_hi:
            possible = event
    return None if possible is None else (P, possible)


def check_r5(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A deployment after an injury while treatment was outstanding or an unfit state stood."""
    if not view.has(_DEPLOYED) or not (evidence := view.injury_evidence):
        return
    for deployment in view.of(_DEPLOYED):
        injured = _injured_before(evidence, deployment)
        reasons = pick(outstanding(view, deployment) + unrecovered(view, deployment)) if injured else None
        if injured is None or reasons is None:
            continue
        certain = injured[0] is E and reasons[0] is E
        if where := deployment.institution_id:
            at_ru = f" ({w.name(where, view.institutions)})"
            at_en = f" ({w.name(where, view.institutions, ru=False)})"
        else:
            at_ru = at_en = ""
        when, injury = deployment.date, injured[1].date
        ru = (f"{w.cap(w.on_ru(when))} военнослужащий после ранения ({w.date_ru(injury)}) снова "
              f"направлен в зону боевых действий{at_ru}, хотя {'; '.join([_reason_ru(e) for e in reasons[1]])}.")
        en = (f"{w.cap(w.on_en(when))}, after the injury ({w.date_en(injury)}), the service "
              f"member was deployed again{at_en} although {'; '.join([_reason_en(e) for e in reasons[1]])}.")
        yield Hit(E if certain else P, (injured[1], *reasons[1], deployment), (view.case_id,),
                  w.possibly_ru(ru, certain), w.possibly_en(en, certain), where)

R5 = Rule(
    "R5", "Повторное направление на фронт до выздоровления", "Redeployed before recovery", Severity.HIGH,
    Scope.CASE, (law.FITNESS_SCHEME, law.RIGHT_TO_CARE),
    "A deployment after an injury (or an injury-documenting finding) while, at the deployment, a recommended "
    "treatment was outstanding, or an unfit decision (В, Г or Д) stood with no later fit decision, or the last "
    "discharge was 'not recovered' with no later fit decision or recovered discharge.",
    "deployment after injury with treatment outstanding, or category В/Г/Д, or a not-recovered discharge",
    ("the treatment was provided before the deployment",
     "a fit decision came between the unfit decision and the deployment",
     "no injury or injury-documenting finding before the deployment"),
    check_r5,
)
