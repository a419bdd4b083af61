"""Due dates of complaints and records requests, judged against what the record shows happened and when.

How a complaint's clocks are started, per addressee:
- receipt is the complaint's date for its addressees and the forwarding date for a body it was forwarded to;
  receipt is *assumed* (so lateness can only be "possible") when the complaint went by letter or was forwarded
  and the body's registration is not recorded, since the delivery time is then unknown;
- a recorded registration starts the answer clock; without one, the clock starts on the last day registration
  was lawfully allowed (receipt + the registration limit), the latest start the law permits;
- recorded extensions by that body are added, up to the rule's lawful maximum; where the law makes the
  extension depend on telling the applicant (59-FZ art. 12 part 2), an extension recorded without notice does not
  move the due day, and one whose notice is not recorded moves only the latest reading of it;
- the body's answer, or its forwarding of the complaint elsewhere, meets the clock;
- an unrecorded registration is never "overdue" (bodies seldom report it), only "possibly overdue", and an
  answer or forwarding before the registration due date proves it was met.
Partial dates give a range of due days: "overdue" needs every reading to be late, "possibly overdue" some.

Which clocks run at all depends on what the complaint is and how it was sent:
- its kind (appeal, crime report, ombudsman complaint, court claim) at that body picks the rules; a complaint
  without a recorded kind is taken as a crime report at the Investigative Committee and as an appeal elsewhere
  (``DueDate.kind_inferred`` says so);
- a rule for written appeals (59-FZ) does not run on a recorded video message, nor on an ordinary e-mail sent on or
  after 30.03.2025 (547-FZ); an e-mail whose date may fall either side of that day gives "possibly overdue" at most.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from operator import attrgetter

from dutycare.domain.dates import PartialDate
from dutycare.domain.events import Event, EventType, timeline_key
from dutycare.domain.model import Institution
from dutycare.domain.vocabulary import Channel, ComplaintKind, InstitutionType
from dutycare.jurisdictions.clocks import (
    NO_PERIOD,
    ChannelStanding,
    ClockBook,
    ClockKind,
    ClockRule,
    ClockStart,
    channel_standing,
)

T = EventType


class DueStatus(StrEnum):
    """Where a clock stands."""

    PENDING = "pending"
    MET = "met"
    OVERDUE = "overdue"
    POSSIBLY_OVERDUE = "possibly_overdue"


_MET, _OVERDUE, _POSSIBLY_OVERDUE, _PENDING = (DueStatus.MET, DueStatus.OVERDUE, DueStatus.POSSIBLY_OVERDUE,
                                              DueStatus.PENDING)
_REGISTRATION, _FORWARDING, _RESPONSE, _RECORDS = (ClockKind.REGISTRATION, ClockKind.FORWARDING, ClockKind.RESPONSE,
                                                   ClockKind.RECORDS)
_FROM_REGISTRATION, _RUNS, _LETTER = ClockStart.REGISTRATION, ChannelStanding.RUNS, Channel.LETTER
_REGISTERED, _EXTENDED, _ANSWERED, _FORWARDED = (T.COMPLAINT_REGISTERED, T.COMPLAINT_EXTENDED, T.COMPLAINT_ANSWERED,
                                                 T.COMPLAINT_FORWARDED)
"""Enum members read for every clock, as module names: on Python 3.11 reading one off its class takes ten times as
long (about 0.23 µs), and one answer clock read about fifteen."""


@dataclass(frozen=True)
class DueDate:
    """One clock of one complaint or request at one body: when it ends and whether it was met."""

    kind: ClockKind
    due: date
    earliest_due: date
    rule: ClockRule
    addressee_id: str
    subject_id: str
    status: DueStatus
    met_on: PartialDate | None = None
    met_by: str | None = None
    evidence_ids: tuple[str, ...] = ()
    start_assumed: bool = False
    case_ids: tuple[str, ...] = ()
    complaint_kind: ComplaintKind | None = None
    kind_inferred: bool = False
    channel: ChannelStanding = ChannelStanding.RUNS
    extensions_ignored: tuple[str, ...] = ()
    """Extensions recorded without notice to the applicant, which do not move the due day."""
    extension_notice_unknown: bool = False

    @property
    def is_exact(self) -> bool:
        """True when the record fixes the due day exactly."""
        return self.due == self.earliest_due


@dataclass(frozen=True)
class _Start:
    lo: date
    hi: date
    assumed: bool
    evidence: tuple[str, ...] = ()


def judge(earliest_due: date, due: date, met: Event | None, today: date) -> DueStatus:
    """Met, overdue, possibly overdue or pending, given the event that met the clock (if any) and today."""
    if met is not None:
        lo, hi = met.date.bounds()
        if hi <= earliest_due:
            return _MET
        return _OVERDUE if lo > due else _POSSIBLY_OVERDUE
    if today > due:
        return _OVERDUE
    return _POSSIBLY_OVERDUE if today > earliest_due else _PENDING


_by_date = attrgetter("date.earliest", "date.latest")
"""``timeline_key`` as a C-level key."""


def _first(events: list[Event] | None) -> Event | None:
    return min(events, key=_by_date) if events else None


_KINDS = {k.value: k for k in ComplaintKind}
_APPEAL, _CRIME_REPORT, _OMBUDSMAN, _COURT_CLAIM = (ComplaintKind.APPEAL, ComplaintKind.CRIME_REPORT,
                                                   ComplaintKind.OMBUDSMAN, ComplaintKind.COURT_CLAIM)
_COMMITTEE, _OMBUDSMAN_BODY, _COURT = (InstitutionType.INVESTIGATIVE_COMMITTEE, InstitutionType.OMBUDSMAN,
                                       InstitutionType.COURT)
"""Enum members as module names: asked for every clock, and on Python 3.11 reading one off its class is slow."""


def effective_kind(declared: object, institution_type: InstitutionType) -> tuple[ComplaintKind, bool]:
    """What a complaint is at one body, and whether that was inferred (no kind recorded).

    A crime report is one only at a body that decides crime reports (the Investigative Committee); sent anywhere
    else it is considered as an appeal. A complaint to an ombudsman or a court is that body's own kind.
    """
    kind = _KINDS.get(declared) if isinstance(declared, str) else None
    inferred = kind is None
    if institution_type is _COMMITTEE:
        crime = kind is None or kind is _CRIME_REPORT
        return (_CRIME_REPORT if crime else _APPEAL), inferred
    if institution_type is _OMBUDSMAN_BODY:
        return _OMBUDSMAN, inferred
    if institution_type is _COURT:
        return _COURT_CLAIM, inferred
    return _APPEAL, inferred


@dataclass
class ComplaintTrail:
    """A complaint with its lifecycle events grouped by what happened and which body did it."""

    complaint: Event
    addressees: tuple[str, ...] = ()
    registered: dict[str, list[Event]] = field(default_factory=dict)
    extended: dict[str, list[Event]] = field(default_factory=dict)
    answered: dict[str, list[Event]] = field(default_factory=dict)
    forwarded_by: dict[str, list[Event]] = field(default_factory=dict)
    forwarded_to: dict[str, list[Event]] = field(default_factory=dict)

    @classmethod
    def from_events(cls, complaint: Event, lifecycle: Iterable[Event]) -> ComplaintTrail:
        """Group the lifecycle events that name this complaint; others are ignored."""
        trail = cls(complaint, complaint.refs("addressees"))
        slots = {_REGISTERED: trail.registered, _EXTENDED: trail.extended, _ANSWERED: trail.answered,
                 _FORWARDED: trail.forwarded_by}
        for event in lifecycle:
            slot = slots.get(event.type)
            if slot is None or event.details.get("complaint") != complaint.id or event.institution_id is None:
                continue
            slot.setdefault(event.institution_id, []).append(event)
            if event.type is _FORWARDED:
                for target in event.refs("forwarded_to"):
                    trail.forwarded_to.setdefault(target, []).append(event)
        return trail

    def recipients(self) -> list[str]:
        """The addressees, then the bodies it was forwarded to, each once, in that order."""
        seen = dict.fromkeys(self.addressees)
        for target in sorted(self.forwarded_to):
            seen.setdefault(target)
        return list(seen)

    def answered_elsewhere(self) -> bool:
        """Whether a body that is not a recipient answered: a sign of an unrecorded forwarding."""
        recipients = set(self.recipients())
        return any(inst not in recipients for inst in self.answered)

    def _receipt(self, addressee_id: str) -> _Start | None:
        if addressee_id in self.addressees:
            lo, hi = self.complaint.date.bounds()
            return _Start(lo, hi, self.complaint.details.get("channel") == _LETTER)
        forward = _first(self.forwarded_to.get(addressee_id))
        if forward is None:
            return None
        lo, hi = forward.date.bounds()
        return _Start(lo, hi, True, (forward.id,))

    def _rule(self, book: ClockBook, addressee: Institution, kind: ClockKind, ck: ComplaintKind,
              ignore_channel: bool = False) -> tuple[ClockRule | None, ChannelStanding]:
        rule = book.rule_for(addressee.jurisdiction, kind, addressee.type, ck)
        if rule is None:
            return None, _RUNS
        standing = channel_standing(rule.channels, self.complaint.details.get("channel"), self.complaint.date)
        return (None if standing in NO_PERIOD and not ignore_channel else rule), standing

    def kind_at(self, addressee: Institution) -> tuple[ComplaintKind, bool]:
        """What the complaint is at this body, and whether that was inferred."""
        return effective_kind(self.complaint.details.get("kind"), addressee.type)

    def due_dates(self, addressee: Institution, book: ClockBook, today: date) -> list[DueDate]:
        """Registration, forwarding and answer clocks of this complaint at one body (those its channel lets run)."""
        receipt = self._receipt(addressee.id)
        if receipt is None:
            return []
        ck, _ = self.kind_at(addressee)
        reg_rule, _ = self._rule(book, addressee, _REGISTRATION, ck)
        fwd_rule, _ = self._rule(book, addressee, _FORWARDING, ck)
        answer_rule, _ = self._rule(book, addressee, _RESPONSE, ck)
        registration = _first(self.registered.get(addressee.id))
        registered = _registered_start(registration, reg_rule, receipt, book)
        forwarded = _first(self.forwarded_by.get(addressee.id))
        out: list[DueDate] = []
        if reg_rule is not None:
            out.append(self._registration_due(reg_rule, receipt, addressee, registration, book, today))
        if fwd_rule is not None and forwarded is not None:
            out.append(self._due(_FORWARDING, fwd_rule, registered, addressee, forwarded, book, today))
        if answer_rule is not None:
            out.append(self._answer_due(answer_rule, receipt, registration, registered, addressee, book, today))
        return out

    def answer_due(self, addressee: Institution, book: ClockBook, today: date, *,
                   ignore_channel: bool = False) -> DueDate | None:
        """Only the answer clock of this complaint at one body (what R6 judges), or None where none runs.

        ``ignore_channel`` computes the clock a written appeal would have run even where the channel runs none
        (``DueDate.channel`` then says why it does not run), so that a finding can say what did not happen.
        """
        receipt = self._receipt(addressee.id)
        ck, _ = self.kind_at(addressee)
        rule, _ = self._rule(book, addressee, _RESPONSE, ck, ignore_channel)
        if receipt is None or rule is None:
            return None
        reg_rule, _ = self._rule(book, addressee, _REGISTRATION, ck, ignore_channel)
        registration = _first(self.registered.get(addressee.id))
        registered = _registered_start(registration, reg_rule, receipt, book)
        return self._answer_due(rule, receipt, registration, registered, addressee, book, today)

    def _registration_due(self, rule: ClockRule, receipt: _Start, addressee: Institution, registration: Event | None,
                          book: ClockBook, today: date) -> DueDate:
        """Registration is rarely reported: without a record, an answer in time proves it, and lateness is unknown."""
        due = self._due(_REGISTRATION, rule, receipt, addressee, registration, book, today)
        if registration is not None:
            return due
        acted = _first([*self.answered.get(addressee.id, ()), *self.forwarded_by.get(addressee.id, ())])
        if acted is not None and acted.date.bounds()[1] <= due.earliest_due:
            return replace(due, status=_MET, met_on=acted.date, met_by=acted.id)
        return _downgrade(due) if due.status is _OVERDUE else due

    def _answer_due(self, rule: ClockRule, receipt: _Start, registration: Event | None, registered: _Start,
                    addressee: Institution, book: ClockBook, today: date) -> DueDate:
        from_registration = rule.starts is _FROM_REGISTRATION or registration is not None
        start = registered if from_registration else receipt
        met = _first([*self.answered.get(addressee.id, ()), *self.forwarded_by.get(addressee.id, ())])
        extension_days = uncertain_days = 0
        ignored: tuple[str, ...] = ()
        unknown: list[Event] = []
        if recorded := self.extended.get(addressee.id):  # most clocks have none: nothing to sort, count or note
            extensions = sorted(recorded, key=timeline_key)
            start = _Start(start.lo, start.hi, start.assumed, start.evidence + tuple(e.id for e in extensions))
            if rule.extension_needs_notice:
                notice = [e.details.get("notice_given") for e in extensions]
                counted = [e for e, n in zip(extensions, notice, strict=True) if n is True]
                unknown = [e for e, n in zip(extensions, notice, strict=True) if not isinstance(n, bool)]
                ignored = tuple(e.id for e, n in zip(extensions, notice, strict=True) if n is False)
            else:
                counted = extensions
            extension_days, uncertain_days = _extension_days(counted), _extension_days(unknown)
        due = self._due(_RESPONSE, rule, start, addressee, met, book, today, extension_days, uncertain_days)
        if ignored or unknown:  # both default to none: copying the due date would change nothing
            due = replace(due, extensions_ignored=ignored, extension_notice_unknown=bool(unknown))
        if due.status is _OVERDUE and met is None and self.answered_elsewhere():
            return _downgrade(due)
        return due

    def _due(self, kind: ClockKind, rule: ClockRule, start: _Start, addressee: Institution, met: Event | None,
             book: ClockBook, today: date, extension_days: int = 0, uncertain_days: int = 0) -> DueDate:
        earliest = book.end(rule, start.lo, extension_days)
        latest = book.end(rule, start.hi, extension_days + uncertain_days)
        status = judge(earliest, latest, met, today)
        ck, inferred = self.kind_at(addressee)
        standing = channel_standing(rule.channels, self.complaint.details.get("channel"), self.complaint.date)
        doubtful = start.assumed or rule.start_interpreted or standing is not _RUNS
        if doubtful and status is _OVERDUE:
            status = _POSSIBLY_OVERDUE
        return DueDate(kind, latest, earliest, rule, addressee.id, self.complaint.id, status,
                       met.date if met else None, met.id if met else None, start.evidence, start.assumed,
                       self.complaint.case_ids, ck, inferred, standing)


def _extension_days(extensions: list[Event]) -> int:
    days = (e.details.get("extended_by_days") for e in extensions)
    return sum(d for d in days if isinstance(d, int) and not isinstance(d, bool))


def _registered_start(registration: Event | None, reg_rule: ClockRule | None, receipt: _Start,
                      book: ClockBook) -> _Start:
    if registration is not None:
        lo, hi = registration.date.bounds()
        return _Start(lo, hi, False, (registration.id,))
    if reg_rule is None:
        return receipt
    return _Start(book.end(reg_rule, receipt.lo), book.end(reg_rule, receipt.hi), receipt.assumed, receipt.evidence)


def _downgrade(due: DueDate) -> DueDate:
    return replace(due, status=_POSSIBLY_OVERDUE)


def due_dates(complaint: Event, addressee: Institution, lifecycle_events: Iterable[Event], clock_book: ClockBook,
              *, today: date) -> list[DueDate]:
    """The clocks of one complaint at one addressee (or body it was forwarded to), judged as of ``today``."""
    return ComplaintTrail.from_events(complaint, lifecycle_events).due_dates(addressee, clock_book, today)


def records_due_date(request: Event, provisions: Iterable[Event], institution: Institution, clock_book: ClockBook,
                     *, today: date) -> DueDate | None:
    """The clock of a request for copies of medical records, or None where no rule covers the body.

    It runs from the request's recorded registration (``registered_on``); without one, from the request date to
    the last day registration was allowed, and lateness is then only "possibly overdue".
    """
    rule = clock_book.rule_for(institution.jurisdiction, _RECORDS, institution.type)
    if rule is None:
        return None
    lo, hi = request.date.bounds()
    registered = request.date_detail("registered_on")
    evidence: tuple[str, ...] = ()
    if registered is not None:
        r_lo, r_hi = registered.bounds()
        lo, hi, assumed = max(lo, r_lo), max(lo, r_hi), False
    else:
        reg_rule = clock_book.rule_for(institution.jurisdiction, _REGISTRATION, institution.type)
        hi, assumed = (clock_book.end(reg_rule, hi) if reg_rule is not None else hi), True
    met = _first([p for p in provisions if p.details.get("request") == request.id])
    earliest, latest = clock_book.end(rule, lo), clock_book.end(rule, hi)
    status = judge(earliest, latest, met, today)
    if assumed and status is _OVERDUE:
        status = _POSSIBLY_OVERDUE
    return DueDate(_RECORDS, latest, earliest, rule, institution.id, request.id, status,
                   met.date if met else None, met.id if met else None, evidence, assumed, request.case_ids)


@dataclass(frozen=True)
class FilingWindow:
    """How long a complaint or claim may still be filed: the window opens on ``opens`` and its last day is
    ``last_day`` (``earliest_last_day`` where the dates it runs from are not exact)."""

    rule: ClockRule
    opens: date
    earliest_last_day: date
    last_day: date

    def is_open(self, today: date) -> bool:
        """Whether some reading of the dates leaves the window open on ``today``."""
        return today <= self.last_day

    def certainly_open(self, today: date) -> bool:
        """Whether every reading of the dates leaves the window open on ``today``."""
        return today <= self.earliest_last_day


def filing_window(rule: ClockRule, book: ClockBook, violation: PartialDate,
                  learnt: PartialDate | None = None) -> FilingWindow:
    """The window of a filing rule (ombudsman, court claim): from the later of the violation and the day the
    applicant learnt of it where the rule says so (1-FKZ art. 17 part 1), from the learning where the rule runs
    from it (KAS art. 219 part 1; the violation stands for it when no later learning is recorded)."""
    v_lo, v_hi = violation.bounds()
    if learnt is None:
        lo, hi = v_lo, v_hi
    else:
        l_lo, l_hi = learnt.bounds()
        lo, hi = (max(v_lo, l_lo), max(v_hi, l_hi))
    return FilingWindow(rule, lo, book.end(rule, lo), book.end(rule, hi))


def known_on(events: Iterable[Event], day: date) -> list[Event]:
    """The events that may have happened by ``day``: what the record held as of then (an event certainly later, such
    as an answer that came after it, is left out)."""
    return [e for e in events if e.date.bounds()[0] <= day]


def due_within(found: Iterable[DueDate], day: date, days: int) -> list[DueDate]:
    """The clocks not yet met whose due day may fall in the ``days`` days from ``day`` (``day`` itself counted),
    and that are not certainly overdue already."""
    last = day + timedelta(days=days)
    open_ = (DueStatus.PENDING, DueStatus.POSSIBLY_OVERDUE)
    return [d for d in found if d.status in open_ and d.met_by is None and d.due >= day and d.earliest_due <= last]


_LIFECYCLE = frozenset({T.COMPLAINT_REGISTERED, T.COMPLAINT_FORWARDED, T.COMPLAINT_EXTENDED, T.COMPLAINT_ANSWERED})


def deadlines(events: Iterable[Event], institutions: Mapping[str, Institution], *, today: date,
              clock_book: ClockBook) -> list[DueDate]:
    """Every clock of every complaint and records request among ``events`` (any cases), soonest due first."""
    unique = {e.id: e for e in events}.values()
    lifecycle: dict[str, list[Event]] = {}
    provisions: dict[str, list[Event]] = {}
    for e in unique:
        if e.type in _LIFECYCLE:
            lifecycle.setdefault(str(e.details.get("complaint")), []).append(e)
        elif e.type is T.RECORDS_PROVIDED:
            provisions.setdefault(str(e.details.get("request")), []).append(e)
    out: list[DueDate] = []
    for e in unique:
        if e.type is T.COMPLAINT:
            trail = ComplaintTrail.from_events(e, lifecycle.get(e.id, ()))
            for inst_id in trail.recipients():
                if inst_id in institutions:
                    out.extend(trail.due_dates(institutions[inst_id], clock_book, today))
        elif e.type is T.RECORDS_REQUESTED and (holder := institutions.get(e.institution_id or "")) is not None:
            found = records_due_date(e, provisions.get(e.id, ()), holder, clock_book, today=today)
            out.extend([found] if found else [])
    return sorted(out, key=lambda d: (d.due, d.earliest_due, d.subject_id, d.addressee_id, d.kind.value))
