"""Russian rules on complaints and requests: R6 (unanswered past the due date), R7 (forwarded to the respondent)
and R10 (medical records not provided within 30 days)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from dutycare.domain.events import Event, EventType, timeline_key
from dutycare.domain.model import Institution
from dutycare.domain.vocabulary import ComplaintKind
from dutycare.jurisdictions.clocks import (
    NO_PERIOD,
    ChannelRule,
    ChannelStanding,
    ClockKind,
    ClockRule,
    channel_standing,
)
from dutycare.jurisdictions.deadlines import ComplaintTrail, DueDate, DueStatus, records_due_date
from dutycare.rules import ru_law as law
from dutycare.rules import wording as w
from dutycare.rules.model import Certainty, EvalContext, Hit, Rule, Scope, Severity
from dutycare.rules.views import FIT, CaseView, category

T = EventType
LATE = frozenset({DueStatus.OVERDUE, DueStatus.POSSIBLY_OVERDUE})
_COMPLAINT, _FORWARDED, _REQUESTED = T.COMPLAINT, T.COMPLAINT_FORWARDED, T.RECORDS_REQUESTED
E, P, _OVERDUE, _RECORDS = Certainty.ESTABLISHED, Certainty.POSSIBLE, DueStatus.OVERDUE, ClockKind.RECORDS
_E_MAIL_MAYBE = ChannelStanding.E_MAIL_MAYBE
"""Enum members read for every case or hit, as module names (on Python 3.11 reading one off its class is slow)."""

_CITES: dict[int, tuple[ClockRule, str, str]] = {}
"""Each clock rule's citation in ru and en, by the rule object's id (a handful of rules cite for every hit)."""


def _cite(rule: ClockRule, ru: bool) -> str:
    known = _CITES.get(id(rule))
    if known is None or known[0] is not rule:
        if len(_CITES) >= 1000:  # rules made on the fly (tests) must not pile up
            _CITES.clear()
        legal = rule.legal
        known = rule, f"{legal.law.split(' «')[0]}, {legal.article}", f"{legal.law_en or legal.law}, {legal.article}"
        _CITES[id(rule)] = known
    return known[1] if ru else known[2]


def _due_ru(due: DueDate) -> str:
    if due.is_exact:
        return w.day_ru(due.due)
    return f"между {w.day_ru(due.earliest_due)} и {w.day_ru(due.due)} (в зависимости от точной даты)"


def _due_en(due: DueDate) -> str:
    if due.is_exact:
        return f"by {w.day_en(due.due)}"
    return f"between {w.day_en(due.earliest_due)} and {w.day_en(due.due)} (depending on the exact date)"


def _tails(met: Event | None, ctx: EvalContext, records: bool) -> tuple[str, str]:
    if met is not None and met.type is _FORWARDED:
        return f"жалоба переадресована {w.on_ru(met.date)}", f"it was forwarded {w.on_en(met.date)}"
    if met is not None:
        done_ru, done_en = ("копии выданы", "the copies came") if records else ("ответ дан", "the answer came")
        return f"{done_ru} {w.on_ru(met.date)}", f"{done_en} {w.on_en(met.date)}"
    none_ru = "копии не выданы" if records else "ответа нет"
    return f"на {w.day_ru(ctx.today)} {none_ru}", f"as of {w.day_en(ctx.today)} there is none"


KIND_RU = {ComplaintKind.APPEAL: "обращение по 59-ФЗ", ComplaintKind.CRIME_REPORT: "сообщение о преступлении "
           "(УПК ст. 144)", ComplaintKind.OMBUDSMAN: "жалоба Уполномоченному", ComplaintKind.COURT_CLAIM: "иск"}
KIND_EN = {ComplaintKind.APPEAL: "an appeal under 59-FZ", ComplaintKind.CRIME_REPORT: "a crime report (UPK art. "
           "144)", ComplaintKind.OMBUDSMAN: "a complaint to the ombudsman", ComplaintKind.COURT_CLAIM: "a claim"}


def _notes(view: CaseView, due: DueDate) -> tuple[str, str]:
    """What the reader must know about how the due day was found: assumptions, extensions, kind, channel."""
    ru: list[str] = []
    en: list[str] = []
    records = due.rule.kind is _RECORDS
    if due.start_assumed and records:
        ru.append("Регистрация запроса не записана: срок посчитан от запроса с учётом трёх дней на регистрацию "
                  "(по 789н он идёт от регистрации).")
        en.append("The request's registration is not recorded: the period is counted from the request plus the three "
                  "days registration may take (789n counts from registration).")
    elif due.start_assumed:
        ru.append("Дата регистрации не записана, а доставка могла занять время.")
        en.append("Registration is not recorded and delivery may have taken time.")
    for ext_id in due.extensions_ignored:
        ext = view.by_id.get(ext_id)
        when_ru, when_en = (w.of_ru(ext.date), w.date_en(ext.date)) if ext else ("", "")
        ru.append(f"Продление {when_ru} без уведомления заявителя срок не переносит (59-ФЗ ст. 12 ч. 2).")
        en.append(f"The extension of {when_en} was not notified to the applicant and does not move the due date "
                  "(59-FZ art. 12 part 2).")
    if due.extension_notice_unknown:
        ru.append("Уведомлён ли заявитель о продлении, не записано; без уведомления продление срок не переносит "
                  "(59-ФЗ ст. 12 ч. 2).")
        en.append("Whether the applicant was told of the extension is not recorded; without notice an extension "
                  "does not move the due date (59-FZ art. 12 part 2).")
    if due.rule.start_interpreted:
        ru.append("Закон не говорит, с какого дня идёт этот срок; он посчитан от получения — это толкование.")
        en.append("The law does not say when this period starts; counting from receipt is a reading of it.")
    if due.channel is _E_MAIL_MAYBE:
        ru.append("Обращение отправлено по электронной почте, а с 30.03.2025 такое письмо не является обращением "
                  "по 59-ФЗ; точная дата отправки не записана.")
        en.append("The appeal went by e-mail, which is not a 59-FZ appeal from 30 March 2025 on, and the exact date "
                  "it was sent is not recorded.")
    if due.kind_inferred and due.complaint_kind is not None:
        ru.append(f"Вид обращения не указан: исходя из адресата, оно принято как {KIND_RU[due.complaint_kind]}.")
        en.append(f"The kind of complaint is not recorded: judging by its addressee, it was taken as "
                  f"{KIND_EN[due.complaint_kind]}.")
    return "".join(" " + x for x in ru), "".join(" " + x for x in en)


def _late_hit(view: CaseView, subject: Event, due: DueDate, heads: tuple[str, str], ctx: EvalContext) -> Hit:
    met = view.by_id.get(due.met_by) if due.met_by else None
    events = [subject, *(view.by_id[i] for i in due.evidence_ids if i in view.by_id), *([met] if met else [])]
    tail_ru, tail_en = _tails(met, ctx, records=subject.type is _REQUESTED)
    ru = f"{heads[0]}: срок истекал {_due_ru(due)} ({_cite(due.rule, True)}); {tail_ru}."
    en = f"{heads[1]}: due {_due_en(due)} ({_cite(due.rule, False)}); {tail_en}."
    certain = due.status is _OVERDUE
    notes_ru, notes_en = _notes(view, due)
    if notes_ru:
        return Hit(E if certain else P, tuple(events), subject.case_ids,
                   ru + notes_ru + ("" if certain else " Вывод возможный, не доказанный."),
                   en + notes_en + ("" if certain else " This is possible, not established."), due.addressee_id)
    return Hit(E if certain else P, tuple(events), subject.case_ids, w.possibly_ru(ru, certain),
               w.possibly_en(en, certain), due.addressee_id)


NO_PERIOD_RU = {
    ChannelStanding.VIDEO: "записанное видеообращение не является ни письменным обращением, ни электронным "
                           "обращением с идентификацией заявителя",
    ChannelStanding.E_MAIL: "с 30.03.2025 (Федеральный закон № 547-ФЗ) обычное электронное письмо не является "
                            "обращением по 59-ФЗ",
}
NO_PERIOD_EN = {
    ChannelStanding.VIDEO: "a recorded video message is neither a written appeal nor an electronic one that "
                           "identifies the applicant",
    ChannelStanding.E_MAIL: "since 30 March 2025 (Federal Law No. 547-FZ) an ordinary e-mail is not a 59-FZ appeal",
}
REPORT_RU = ("записанное видеообращение не является заявлением о преступлении в устной или письменной форме "
             "(УПК ст. 141)")
REPORT_EN = "a recorded video message is not an oral or written crime report (UPK art. 141)"


def _has_copy(view: CaseView, complaint: Event, addressee_id: str, rule: ClockRule) -> bool:
    """Whether a copy of the complaint went to the same body in a way that makes the period run."""
    c_lo = complaint.date.bounds()[0]
    for other in view.of(T.COMPLAINT):
        if other.id == complaint.id or addressee_id not in other.refs("addressees"):
            continue
        if other.date.bounds()[1] < c_lo:
            continue
        if channel_standing(rule.channels, other.details.get("channel"), other.date) is ChannelStanding.RUNS:
            return True
    return False


def _no_period_hit(view: CaseView, trail: ComplaintTrail, due: DueDate, heads: tuple[str, str],
                   ctx: EvalContext) -> Hit:
    report = due.rule.channels is ChannelRule.REPORT
    why_ru = REPORT_RU if report else NO_PERIOD_RU[due.channel]
    why_en = REPORT_EN if report else NO_PERIOD_EN[due.channel]
    copy_ru = ("письменное заявление о преступлении или устное, занесённое в протокол" if report else
               "письменное обращение или обращение через портал Госуслуг либо официальный сайт органа")
    copy_en = ("a written crime report, or an oral one entered in a protocol" if report else
               "a written copy, or one sent through Gosuslugi or the body's official site")
    ru = (f"{heads[0]}: на {w.day_ru(ctx.today)} ответа нет, но срок ответа законом не установлен: {why_ru}. "
          f"Срок ({_cite(due.rule, True)}) пошёл бы, если бы в этот орган было подано {copy_ru}; в деле такого "
          "нет. Это не просрочка: чтобы срок пошёл, подайте обращение установленным способом.")
    en = (f"{heads[1]}: no answer as of {w.day_en(ctx.today)}, but the law sets no answer period: {why_en}. "
          f"The period ({_cite(due.rule, False)}) would run had {copy_en} been filed with this body; none is "
          "recorded. This is not an overdue answer: to start the period, file the complaint in a way the law "
          "recognises.")
    notes_ru, notes_en = _notes(view, _without_channel(due))
    return Hit(Certainty.POSSIBLE, (trail.complaint,), trail.complaint.case_ids, ru + notes_ru, en + notes_en,
               due.addressee_id)


def _without_channel(due: DueDate) -> DueDate:
    """The due date without its channel and delivery notes (the no-period finding says it in full)."""
    return replace(due, channel=ChannelStanding.RUNS, start_assumed=False)


def check_r6(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """Each addressee of a complaint whose answer clock ran out with no answer, or with a late one; where the
    channel runs no statutory clock, a finding that says so instead of an overdue answer."""
    if ctx.clock_book is None or not view.has(_COMPLAINT):
        return
    for trail in view.trails:
        complaint = trail.complaint
        dated: tuple[str, str] | None = None  # the complaint's date as worded, once for all its addressees
        for inst_id in trail.recipients():
            inst = view.institutions.get(inst_id)
            if inst is None:
                continue
            due = trail.answer_due(inst, ctx.clock_book, ctx.today)
            if due is not None:
                if due.status in LATE:
                    dated = dated or _dated(complaint)
                    yield _late_hit(view, complaint, due, _r6_heads(view, dated, inst_id), ctx)
                continue
            would = trail.answer_due(inst, ctx.clock_book, ctx.today, ignore_channel=True)
            if (would is None or would.channel not in NO_PERIOD or would.met_by is not None
                    or would.status not in LATE or _has_copy(view, complaint, inst_id, would.rule)):
                continue
            dated = dated or _dated(complaint)
            yield _no_period_hit(view, trail, would, _r6_heads(view, dated, inst_id), ctx)


def _dated(complaint: Event) -> tuple[str, str]:
    """The complaint's date as R6 words it, in ru («от …») and en."""
    return w.of_ru(complaint.date), w.date_en(complaint.date)


def _r6_heads(view: CaseView, dated: tuple[str, str], inst_id: str) -> tuple[str, str]:
    """How an R6 explanation opens, in ru and en: the complaint and the addressee (worded only for a hit)."""
    who_ru, who_en = w.name(inst_id, view.institutions), w.name(inst_id, view.institutions, False)
    return f"Жалоба {dated[0]}, адресат — {who_ru}", f"The complaint of {dated[1]} to {who_en}"


GRIEVANCE_TYPES = (T.TREATMENT_REFUSED, T.FITNESS_DECISION, T.MALINGERING_LABEL, T.DEPLOYED, T.DISCHARGED)


def _is_grievance(event: Event) -> bool:
    if event.type is T.FITNESS_DECISION:
        cat = category(event)
        return cat in FIT
    if event.type is T.DISCHARGED:
        return event.details.get("condition") == "not_recovered"
    return True


def respondents(view: CaseView, complaint: Event) -> dict[str, list[tuple[Certainty, Event]]]:
    """Institutions the complaint is about: where the case's grievances before the complaint took place."""
    c_lo, c_hi = complaint.date.bounds()
    found: dict[str, list[tuple[Certainty, Event]]] = {}
    for event_type in GRIEVANCE_TYPES:
        for event in view.of(event_type):
            if event.institution_id is None or not _is_grievance(event):
                continue
            lo, hi = event.date.bounds()
            if lo <= c_hi:
                certainty = Certainty.ESTABLISHED if hi < c_lo else Certainty.POSSIBLE
                found.setdefault(event.institution_id, []).append((certainty, event))
    return found


def _relation(target: str, found: dict[str, list[tuple[Certainty, Event]]],
              institutions: Mapping[str, Institution]) -> tuple[str, Certainty, list[tuple[Certainty, Event]]] | None:
    """How a forwarding target relates to the respondents: itself, a sub-unit, or the parent of one."""
    if target in found:
        return "self", Certainty.ESTABLISHED, found[target]
    inst = institutions.get(target)
    if inst is not None and inst.parent_id in found:
        return "child", Certainty.ESTABLISHED, found[inst.parent_id]
    below = [g for r, gs in found.items() if (i := institutions.get(r)) and i.parent_id == target for g in gs]
    return ("parent", Certainty.POSSIBLE, below) if below else None


RELATION_RU = {"self": "тот самый орган, чьи действия обжалуются", "child": "подразделение органа, чьи действия "
               "обжалуются", "parent": "вышестоящий орган учреждения, чьи действия обжалуются"}
RELATION_EN = {"self": "the very body complained about", "child": "a unit of the body complained about",
               "parent": "the parent of the body complained about"}


def check_r7(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A complaint forwarded to the body whose acts it complains about (or to a unit or parent of it)."""
    if not view.has(_FORWARDED):
        return
    institutions = view.institutions
    for trail in view.trails:
        forwards = sorted((f for fs in trail.forwarded_by.values() for f in fs), key=timeline_key)
        found = respondents(view, trail.complaint) if forwards else {}
        for forward in forwards:
            for target in forward.refs("forwarded_to"):
                related = _relation(target, found, institutions) if found else None
                if related is not None:
                    yield _r7_hit(view, trail, forward, target, related)


def _r7_hit(view: CaseView, trail: ComplaintTrail, forward: Event, target: str,
            related: tuple[str, Certainty, list[tuple[Certainty, Event]]]) -> Hit:
    kind, closeness, graded = related
    certain = closeness is Certainty.ESTABLISHED and any(c is Certainty.ESTABLISHED for c, _ in graded)
    grievances = [e for c, e in graded if c is Certainty.ESTABLISHED or not certain]
    inst = view.institutions
    ru_list = "; ".join(f"{w.event_label_ru(e)} ({w.name(e.institution_id, inst)})" for e in grievances)
    en_list = "; ".join(f"{w.event_label_en(e)} ({w.name(e.institution_id, inst, False)})" for e in grievances)
    ru = (f"Жалоба {w.of_ru(trail.complaint.date)} переадресована {w.on_ru(forward.date)} "
          f"({w.name(forward.institution_id, inst)}) в {w.name(target, inst)} — {RELATION_RU[kind]}: {ru_list}.")
    en = (f"The complaint of {w.date_en(trail.complaint.date)} was forwarded {w.on_en(forward.date)} "
          f"({w.name(forward.institution_id, inst, False)}) to {w.name(target, inst, False)}, "
          f"{RELATION_EN[kind]}: {en_list}.")
    return Hit(Certainty.ESTABLISHED if certain else Certainty.POSSIBLE, (trail.complaint, forward, *grievances),
               (view.case_id,), w.possibly_ru(ru, certain), w.possibly_en(en, certain), target)


def check_r10(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    """A request for copies of medical records not met within the period of order 789n."""
    if ctx.clock_book is None or not view.has(_REQUESTED):
        return
    provisions = view.of(T.RECORDS_PROVIDED)
    for request in view.of(T.RECORDS_REQUESTED):
        holder = view.institutions.get(request.institution_id or "")
        due = records_due_date(request, provisions, holder, ctx.clock_book, today=ctx.today) if holder else None
        if due is None or due.status not in LATE:
            continue
        who_ru, who_en = w.name(due.addressee_id, view.institutions), w.name(due.addressee_id, view.institutions, False)
        heads = (f"Запрос копий медицинских документов {w.of_ru(request.date)}, учреждение — {who_ru}",
                 f"The request of {w.date_en(request.date)} to {who_en} for copies of medical records")
        yield _late_hit(view, request, due, heads, ctx)


R6 = Rule(
    "R6", "Жалоба без ответа после установленного срока", "Complaint unanswered past its statutory due date",
    Severity.MEDIUM, Scope.COMPLAINT,
    (law.clock_basis("ru.59fz.answer"), law.clock_basis("ru.prosecutor.answer"), law.clock_basis("ru.upk.144"),
     law.clock_basis("ru.1fkz.notice"), law.ELECTRONIC_APPEALS, law.EXTENSION_GROUNDS, law.MOD_APPEALS,
     law.APPEALS_PENALTY),
    "For each addressee (and each body it was forwarded to) the complaint's kind at that body (recorded, or "
    "inferred: a crime report at the Investigative Committee, an appeal elsewhere) picks the answer clock; it runs "
    "from the recorded registration, or else from the last lawful registration day; recorded extensions are added "
    "up to the lawful maximum, under 59-FZ and order No. 45 only when the applicant was notified (an extension "
    "whose notice is not recorded moves only the latest reading); a due day on a non-working day moves as the "
    "rule's carry says. The body's answer or its forwarding meets the clock. 'Possible' when partial dates leave "
    "the due day uncertain, when delivery time is unknown (letter or forwarding without a recorded registration), "
    "when another body answered, when the law does not fix the start (the ombudsman's 10 days), or when an e-mail "
    "may have been sent after 30.03.2025. A recorded video message, or an ordinary e-mail sent on or after "
    "30.03.2025, runs no 59-FZ clock (nor a video message a crime-report clock): unless a copy went to the same "
    "body in a way that counts, the finding says that the law sets no answer period, and is only 'possible'.",
    "no answer from an addressee by the due date (as of the day of evaluation), or an answer after it",
    ("answered on or before the due date (the due date itself is in time)",
     "the due date has not passed yet",
     "the addressee forwarded the complaint within the answer period",
     "an answered video or e-mail complaint, or one with a written or portal copy to the same body"),
    check_r6,
)
R7 = Rule(
    "R7", "Жалоба направлена тому, на кого жалуются", "Complaint forwarded to the body it complains about",
    Severity.HIGH, Scope.COMPLAINT, (law.NO_SELF_REVIEW,),
    "The bodies a complaint is about are those where the case's grievances before the complaint took place: "
    "treatment refusals, fit decisions, malingering labels, deployments and not-recovered discharges. Forwarding "
    "to one of them or to a unit below one (parent_id) is established; to the parent of one is possible, as a "
    "parent may lawfully review its unit unless the grievance came from it.",
    "a forwarding of the complaint to an institution where a grievance of the case occurred",
    ("forwarding to a body unrelated to the grievances", "grievances only after the complaint"),
    check_r7,
)
R10 = Rule(
    "R10", "Копии медицинских документов не выданы в 30 дней", "Medical records not provided within 30 days",
    Severity.MEDIUM, Scope.COMPLAINT, (law.clock_basis("ru.789n.records"), law.RECORDS_RIGHT),
    "A records request to a medical organisation has no records_provided naming it by the end of the 789n "
    "period (30 days from the request's registration, carried to the next working day), as of the day of "
    "evaluation, or the copies came later. Without a recorded registration (registered_on) the period runs from "
    "the request plus the three days registration may take, and the finding is only 'possible'.",
    "records requested, none provided within 30 days",
    ("records provided on or before day 30", "the period has not ended yet",
     "requests to bodies other than hospitals (no rule covers them yet)"),
    check_r10,
)
