"""Accounts collected offline (ODK Collect, KoBoCollect) into the triage queue: all of an export, or none of it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dutycare.domain.errors import Problem
from dutycare.domain.intake_form import FieldSubmission
from dutycare.service_layer import intake
from dutycare.service_layer.intake import IntakeLimits
from dutycare.service_layer.intake_records import PartKind, SealedPart, part_aad
from dutycare.service_layer.ports import IntakeQueue, IntakeStore, ReceiptMaker, SubmissionSealer


@dataclass(frozen=True)
class Queued:
    """What was queued: (collection tool's submission id, queue id) for each, and repeats left out."""

    queued: list[tuple[str, str]]
    repeats: list[str]


@dataclass(frozen=True)
class NotQueued:
    """Nothing, or only part, was queued, and why; ``queued`` lists what went in before the queue was full."""

    problems: list[Problem]
    queued: list[tuple[str, str]]


def check(submissions: Sequence[FieldSubmission], problems: Sequence[Problem]) -> list[Problem]:
    """Every problem that stops an export from being queued (the reader's, and an export with nothing in it)."""
    found = list(problems)
    if not found and not submissions:
        found.append(Problem("file", "", "holds no submissions"))
    return found


def queue_all(queue: IntakeQueue, submissions: Sequence[FieldSubmission],
              problems: Sequence[Problem] = ()) -> Queued | NotQueued:
    """Queue every submission of an export that has no problem; a submission id seen twice is queued once."""
    stopping = check(submissions, problems)
    if stopping:
        return NotQueued(stopping, [])
    seen: set[str] = set()
    queued: list[tuple[str, str]] = []
    repeats: list[str] = []
    for sub in submissions:
        if sub.instance_id in seen:
            repeats.append(sub.instance_id)
            continue
        seen.add(sub.instance_id)
        queue_id = queue.add(sub)
        if queue_id is None:
            return NotQueued([Problem(sub.instance_id, "", "the intake queue is full; nothing after this was "
                                      "queued")], queued)
        queued.append((sub.instance_id, queue_id))
    return Queued(queued, repeats)


class SealingQueue(IntakeQueue):
    """The intake database as field collection feeds it: each submission sealed to the intake public key, with a
    receipt of its own, exactly as the public form stores one."""

    def __init__(self, store: IntakeStore, receipts: ReceiptMaker, sealer: SubmissionSealer, today: date,
                 limits: IntakeLimits | None = None) -> None:
        self.store = store
        self.receipts = receipts
        self.sealer = sealer
        self.today = today
        self.limits = limits or IntakeLimits()
        self.codes: dict[str, str] = {}  # queue id -> receipt code, to hand to the person through the field team

    def _part(self, kind: PartKind, document: dict[str, object]) -> SealedPart:
        uid = intake.new_part_uid()
        payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return SealedPart(uid, kind, self.sealer.seal(payload, part_aad(uid, kind)))

    def add(self, submission: FieldSubmission) -> str | None:
        """Seal and store one submission; its id in the queue, or None when the intake database is full."""
        parts = [self._part(PartKind.ACCOUNT, submission.document())]
        if submission.contact:
            parts.append(self._part(PartKind.CONTACT, {"v": 1, "contact": submission.contact}))
        outcome = intake.accept(self.store, self.receipts, parts, self.today, self.limits)
        if not isinstance(outcome, intake.Accepted):
            return None
        self.codes[outcome.submission_id] = outcome.code
        return outcome.submission_id
