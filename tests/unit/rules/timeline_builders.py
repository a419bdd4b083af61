"""Terse constructors for test records: institutions, events and timelines, no database."""

from __future__ import annotations

import itertools
from datetime import date

from dutycare.domain.dates import PartialDate
from dutycare.domain.events import Citation, Event, EventType
from dutycare.domain.model import Case, Institution, Person, Timeline
from dutycare.domain.vocabulary import InstitutionType
from dutycare.jurisdictions.clocks import ClockBook, default_clock_book
from dutycare.rules.evaluate import evaluate_case
from dutycare.rules.model import Finding
from dutycare.rules.registry import load_rules
from dutycare.rules.views import CaseView

T = EventType
I = InstitutionType  # noqa: E741
TODAY = date(2025, 6, 1)
RULES = load_rules(entry_points=False)
_BOOK: list[ClockBook] = []


def book() -> ClockBook:
    """One clock book for the whole test session (the holiday tables are slow to build)."""
    if not _BOOK:
        _BOOK.append(default_clock_book())
    return _BOOK[0]


def standard_institutions() -> dict[str, Institution]:
    """A small world: a hospital with a commission and a ward under it, a directorate above it, authorities."""
    return {i.id: i for i in (
        Institution("DIR", "Военно-медицинское управление ЮВО", I.AUTHORITY),
        Institution("H", "Волгоградский военный госпиталь", I.HOSPITAL, "Volgograd", parent_id="DIR"),
        Institution("VVK", "ВВК госпиталя", I.MEDICAL_COMMISSION, "Volgograd", parent_id="H"),
        Institution("WARD", "Хирургическое отделение", I.HOSPITAL, "Volgograd", parent_id="H"),
        Institution("H2", "Госпиталь в Ростове", I.HOSPITAL, "Rostov"),
        Institution("U", "Войсковая часть 00000", I.MILITARY_UNIT),
        Institution("P", "Президент РФ", I.PRESIDENT),
        Institution("SK", "Следственный комитет РФ", I.INVESTIGATIVE_COMMITTEE),
        Institution("GP", "Генеральная прокуратура РФ", I.PROSECUTOR),
        Institution("OMB", "Уполномоченный по правам человека", I.OMBUDSMAN),
    )}


class Record:
    """Events of one or more cases, built one call at a time, with automatic ids e1, e2, ..."""

    def __init__(self, case_id: str = "A") -> None:
        self.case_id = case_id
        self.events: list[Event] = []
        self.institutions = standard_institutions()
        self._ids = itertools.count(1)

    def add(self, event_type: EventType, when: str, inst: str | None = None, *, cases: tuple[str, ...] | None = None,
            **details: object) -> Event:
        """Record one event and return it."""
        event = Event(f"e{next(self._ids)}", event_type, PartialDate.parse(when), cases or (self.case_id,),
                      (Citation("s1"),), inst, None, details)
        self.events.append(event)
        return event

    def injury(self, when: str, inst: str | None = None) -> Event:
        """An injury."""
        return self.add(T.INJURY, when, inst, injury="shrapnel wound")

    def finding(self, when: str, inst: str | None = "H", **details: object) -> Event:
        """A medical finding (documents the injury unless told otherwise)."""
        return self.add(T.MEDICAL_FINDING, when, inst, finding="fragment in thigh", **details)

    def recommend(self, when: str, treatment: str = "removal of fragment", inst: str | None = "H") -> Event:
        """A treatment recommendation."""
        return self.add(T.TREATMENT_RECOMMENDED, when, inst, treatment=treatment)

    def provide(self, when: str, treatment: str = "removal of fragment", inst: str | None = "H") -> Event:
        """A treatment provided."""
        return self.add(T.TREATMENT_PROVIDED, when, inst, treatment=treatment)

    def refuse(self, when: str, reason_kind: str, treatment: str = "removal of fragment", inst: str = "H") -> Event:
        """A treatment refused."""
        return self.add(T.TREATMENT_REFUSED, when, inst, treatment=treatment, reason="secret", reason_kind=reason_kind)

    def decide(self, when: str, category: str, inst: str = "VVK", **details: object) -> Event:
        """A fitness decision."""
        return self.add(T.FITNESS_DECISION, when, inst, category=category, **details)

    def complaint(self, when: str, *addressees: str, channel: str = "email",
                  cases: tuple[str, ...] | None = None) -> Event:
        """A complaint to one or more addressees."""
        return self.add(T.COMPLAINT, when, None, cases=cases, addressees=list(addressees), applicants=["p1"],
                        channel=channel, subject="denied surgery")

    def lifecycle(self, event_type: EventType, when: str, complaint: Event, inst: str, **details: object) -> Event:
        """A registration, forwarding, extension or answer of a complaint."""
        return self.add(event_type, when, inst, cases=complaint.case_ids, complaint=complaint.id, **details)

    def timeline(self, case_id: str | None = None) -> Timeline:
        """The timeline of one case (the record's own by default)."""
        cid = case_id or self.case_id
        events = [e for e in self.events if cid in e.case_ids]
        return Timeline.build(Case(cid, "p1", f"case {cid}"), Person("p1", "Maxim"), events, self.institutions, {})

    def view(self) -> CaseView:
        """A case view of the record's own case."""
        return CaseView.of_timeline(self.timeline())

    def evaluate(self, today: date = TODAY, case_id: str | None = None) -> list[Finding]:
        """Every case- and complaint-scope finding of one case."""
        return evaluate_case(self.timeline(case_id), rules=RULES, today=today, clock_book=book())


def of_rule(findings: list[Finding], rule_id: str) -> list[Finding]:
    """The findings of one rule."""
    return [f for f in findings if f.rule_id == rule_id]


def busy_record() -> Record:
    """One case on which most rules fire: injury, refusal by directive, fitness, malingering, deployment, complaint."""
    r = Record()
    r.injury("2024-01-10")
    r.finding("2024-01-20")
    r.recommend("2024-02-02")
    r.refuse("2024-02-10", "unwritten_directive")
    r.decide("2024-03-15", "А")
    r.recommend("2024-03")
    r.add(T.MALINGERING_LABEL, "~2024-04", "H")
    r.add(T.DEPLOYED, "2024-04-20", "U")
    complaint = r.complaint("2024-05-01", "P", "SK", "GP")
    r.lifecycle(T.COMPLAINT_FORWARDED, "2024-05-03", complaint, "GP", forwarded_to="H")
    r.add(T.RECORDS_REQUESTED, "2024-05-02", "H", records="file")
    return r
