"""One synthetic case: its person, sources, case record and a dated timeline of events."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dutycare.synth import texts as tx
from dutycare.synth.world import Facility, Record, full_name

START = date(2022, 3, 1)
START_SPAN_DAYS = 1000
COMPLAINT_BODIES = ("i-president", "i-prosecutor-general", "i-investigative-committee", "i-ombudsman")
CHANNELS = ("letter", "email", "online_portal", "gosuslugi", "video_message")


def partial(rng: random.Random, day: date) -> str:
    """A date as a caseworker would know it: mostly exact, sometimes only the month, approximate or a range."""
    roll = rng.random()
    if roll < 0.72:
        return day.isoformat()
    if roll < 0.86:
        return day.strftime("%Y-%m")
    if roll < 0.93:
        return "~" + (day.isoformat() if roll < 0.9 else day.strftime("%Y-%m"))
    if roll < 0.98:
        later = day + timedelta(days=rng.randint(20, 80))
        return f"{day.strftime('%Y-%m')}/{later.strftime('%Y-%m')}"
    return str(day.year)


@dataclass
class CaseDraft:
    """The records of one case as they are being made."""

    number: int
    facility: Facility
    person: str
    case: str
    sources: dict[str, str] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    events: int = 0
    day: date = START

    def next_event_id(self) -> str:
        """A new event id within this case."""
        self.events += 1
        return f"e-{self.number:07d}-{self.events:02d}"


class CaseMaker:
    """Makes cases one at a time from a seeded random generator."""

    def __init__(self, rng: random.Random, advocates: list[str]) -> None:
        self.rng = rng
        self.advocates = advocates

    # -- records -----------------------------------------------------------------------------------------
    def draft(self, number: int, facility: Facility) -> CaseDraft:
        """A new case with its person, sources and case record (no events yet)."""
        rng = self.rng
        d = CaseDraft(number, facility, f"p-{number:07d}", f"c-{number:07d}")
        d.day = START + timedelta(days=rng.randrange(START_SPAN_DAYS))
        d.records.append(self._person(d))
        self._sources(d)
        name = str(d.records[0]["pseudonym"])
        d.records.append({"record": "case", "id": d.case, "person": d.person, "title": f"{name}: отказ в лечении",
                          "status": rng.choices(("open", "escalated", "resolved", "closed"), (60, 25, 10, 5))[0],
                          "region": facility.region, "opened": partial(rng, d.day + timedelta(days=60)),
                          "summary": rng.choice(tx.SUMMARIES)})
        return d

    def _person(self, d: CaseDraft) -> Record:
        rng = self.rng
        pseudonym = f"{rng.choice(tx.FIRST_NAMES)} {rng.choice(tx.SURNAMES)[0]}."
        rec: Record = {"record": "person", "id": d.person, "pseudonym": pseudonym, "role": "affected",
                       "service_status": rng.choices(("contract", "mobilised", "conscript", "volunteer", "former"),
                                                     (40, 35, 5, 10, 10))[0]}
        if rng.random() < 0.8:
            rec["age"] = rng.randint(19, 55)
            rec["age_as_of"] = d.day.strftime("%Y-%m")
        if rng.random() < 0.4:
            rec["full_name"] = full_name(rng)
        if rng.random() < 0.2:
            rec["contacts"] = f"через родственников, +7 9{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}"
        return rec

    def _sources(self, d: CaseDraft) -> None:
        rng = self.rng
        plan = [("own_account", "C", "Рассказ о ранении и лечении", 1.0),
                ("medical_document", "B", "Выписка из медицинской карты", 0.8),
                ("interview", "C", "Интервью", 0.3), ("official_document", "B", "Заключение ВВК (копия)", 0.6)]
        for k, (kind, grade, title, chance) in enumerate(plan):
            if rng.random() >= chance:
                continue
            sid = f"s-{d.number:07d}-{k}"
            rec: Record = {"record": "source", "id": sid, "kind": kind, "title": title, "reliability": grade,
                           "date": partial(rng, d.day + timedelta(days=rng.randint(30, 300)))}
            if kind == "interview":
                rec["publisher"] = rng.choice(tx.PUBLISHERS)
                rec["url"] = f"https://example.org/news/{d.number}"
            d.sources[kind] = sid
            d.records.append(rec)

    # -- events ------------------------------------------------------------------------------------------
    def event(self, d: CaseDraft, etype: str, gap: tuple[int, int], institution: str | None,
              details: dict[str, Any], cite: tuple[str, ...] = ("own_account",), cases: list[str] | None = None,
              summary_chance: float = 0.35) -> str:
        """Append one event some days after the previous one; return its id."""
        rng = self.rng
        d.day += timedelta(days=rng.randint(*gap))
        eid = d.next_event_id()
        rec: Record = {"record": "event", "id": eid, "type": etype, "date": partial(rng, d.day),
                       "cases": cases or [d.case]}
        if institution:
            rec["institution"] = institution
        if rng.random() < summary_chance:
            rec["summary"] = rng.choice(tx.SUMMARIES)
        rec["sources"] = self._citations(d, cite)
        rec["details"] = details
        d.records.append(rec)
        return eid

    def _citations(self, d: CaseDraft, wanted: tuple[str, ...]) -> list[dict[str, str]]:
        chosen = [d.sources[k] for k in wanted if k in d.sources] or [d.sources["own_account"]]
        extra = [s for s in d.sources.values() if s not in chosen]
        if extra and self.rng.random() < 0.4:
            chosen.append(self.rng.choice(extra))
        out = [{"source": s} for s in chosen]
        if self.rng.random() < 0.2:
            out[0]["locator"] = f"с. {self.rng.randint(1, 12)}"
        return out

    def timeline(self, d: CaseDraft) -> None:
        """Injury, findings, recommendations and refusals or treatment, a fitness decision and what followed."""
        rng, f = self.rng, d.facility
        injury, part = rng.choice(tx.INJURIES)
        treatment = rng.choice(tx.TREATMENTS[part])
        self.event(d, "injury", (0, 0), rng.choice(f.units), {"injury": injury, "body_part": part,
                                                              "circumstances": rng.choice(tx.CIRCUMSTANCES)})
        self.event(d, "medical_finding", (2, 20), f.hospital,
                   {"finding": rng.choice(tx.FINDINGS), "documents_injury": rng.random() < 0.85},
                   ("medical_document",))
        outstanding = self._treatment(d, treatment)
        category = self._fitness(d, outstanding)
        if outstanding and rng.random() < (0.3 if f.harsh else 0.06):
            self.event(d, "malingering_label", (3, 30), f.hospital,
                       {"statement": rng.choice(tx.REFUSAL_REASONS["malingering"]),
                        "labelled_by": "начальник отделения"})
        if category in ("А", "Б") and rng.random() < 0.6:
            self.event(d, "deployed", (5, 40), rng.choice(f.units), {"destination": rng.choice(tx.DESTINATIONS)})
        self._records_request(d)
        if rng.random() < 0.3:
            self.event(d, "testimony", (5, 60), None, {"given_by": d.person, "text": self._testimony(injury)},
                       summary_chance=0.0)

    def _treatment(self, d: CaseDraft, treatment: str) -> bool:
        """Recommendations followed by refusals or by treatment; True while the treatment is still outstanding."""
        rng, f = self.rng, d.facility
        for attempt in range(rng.choice((1, 1, 1, 2, 2, 3))):
            self.event(d, "treatment_recommended", (1, 15) if attempt == 0 else (20, 90), f.hospital,
                       {"treatment": treatment, "urgency": rng.choice(("routine", "urgent", "urgent", "emergency")),
                        "recommended_by": "хирург госпиталя"}, ("medical_document",))
            if rng.random() < f.refusal_rate:
                if rng.random() < 0.06:  # the patient's own informed refusal (323-ФЗ ст. 20), not the hospital's
                    self.event(d, "treatment_declined", (3, 30), f.hospital,
                               {"treatment": treatment, "informed_consent_form": rng.random() < 0.8},
                               ("medical_document",))
                    return False
                kind = "unwritten_directive" if rng.random() < f.directive_share else rng.choice(
                    ("no_indication", "no_capacity", "malingering", "paperwork", "none_given", "other"))
                self.event(d, "treatment_refused", (3, 30), f.hospital,
                           {"treatment": treatment, "reason": rng.choice(tx.REFUSAL_REASONS[kind]),
                            "reason_kind": kind, "refused_by": "начальник отделения"})
                continue
            if rng.random() < 0.6:
                self.event(d, "hospitalised", (3, 20), f.hospital, {"reason": treatment})
            self.event(d, "treatment_provided", (1, 10), f.hospital, {"treatment": treatment}, ("medical_document",))
            if rng.random() < 0.6:
                self.event(d, "discharged", (5, 25), f.hospital,
                           {"condition": rng.choice(("recovered", "improved", "improved", "not_recovered"))})
            return False
        return True

    def _fitness(self, d: CaseDraft, outstanding: bool) -> str:
        rng, f = self.rng, d.facility
        if outstanding:
            category = rng.choice(("А", "Б")) if rng.random() < f.fit_rate else rng.choice(("В", "Г"))
        else:
            category = rng.choices(("А", "Б", "В", "Г", "Д"), (20, 45, 20, 10, 5))[0]
        details: dict[str, Any] = {"category": category, "basis": rng.choice(tx.BASIS)}
        if rng.random() < 0.75:
            details["causal_link"] = rng.choice(("military_trauma", "military_trauma", "service_illness",
                                                 "general_illness"))
        self.event(d, "fitness_decision", (10, 60), f.commission, details, ("official_document",))
        return category

    def _records_request(self, d: CaseDraft) -> None:
        rng = self.rng
        if rng.random() >= 0.2:
            return
        request = self.event(d, "records_requested", (3, 30), d.facility.hospital,
                             {"records": "копии медицинской карты и заключения ВВК"})
        if rng.random() < 0.6:
            self.event(d, "records_provided", (10, 60), None, {"request": request})

    def _testimony(self, injury: str) -> str:
        rng = self.rng
        return (f"Получил ранение: {injury}. {rng.choice(tx.SUMMARIES)}. "
                f"{rng.choice(tx.FINDINGS)}, но {rng.choice(tx.REFUSAL_REASONS['unwritten_directive'])}.")

    # -- complaints --------------------------------------------------------------------------------------
    def complaint(self, d: CaseDraft, cases: list[str], applicants: list[str]) -> None:
        """A complaint to one to three bodies, each registering it and answering early, late or never."""
        rng = self.rng
        bodies = rng.sample((*COMPLAINT_BODIES, d.facility.prosecutor), rng.randint(1, 3))
        if rng.random() < 0.4:
            applicants = [*applicants, rng.choice(self.advocates)]
        complaint = self.event(d, "complaint", (5, 60), None,
                               {"addressees": bodies, "applicants": applicants,
                                "channel": rng.choice(CHANNELS),
                                "subject": rng.choice(tx.SUBJECTS)}, cases=cases)
        start = d.day
        for body in bodies:
            d.day = start
            self._lifecycle(d, complaint, body, cases)
        d.day = start

    def _lifecycle(self, d: CaseDraft, complaint: str, body: str, cases: list[str]) -> None:
        rng = self.rng
        self.event(d, "complaint_registered", (1, 12), body,
                   {"complaint": complaint, "registration_number": f"{rng.randint(1, 99)}/{rng.randint(100, 99999)}"},
                   cases=cases, summary_chance=0.0)
        if rng.random() < 0.12:
            target = d.facility.hospital if rng.random() < 0.3 else d.facility.prosecutor
            self.event(d, "complaint_forwarded", (2, 10), body, {"complaint": complaint, "forwarded_to": target},
                       cases=cases, summary_chance=0.0)
        if rng.random() < 0.1:
            self.event(d, "complaint_extended", (20, 30), body,
                       {"complaint": complaint, "extended_by_days": 30, "notice_given": rng.random() < 0.7},
                       cases=cases, summary_chance=0.0)
        roll = rng.random()
        if roll < 0.7:
            gap = (3, 28) if roll < 0.45 else (35, 120)
            self.event(d, "complaint_answered", gap, body,
                       {"complaint": complaint,
                        "outcome": rng.choice(("no_violation_found", "formal_reply", "refused", "partly_satisfied")),
                        "answer": rng.choice(tx.ANSWERS)}, ("official_document",), cases=cases, summary_chance=0.0)
