"""Accounts collected offline (ODK Collect, KoBoCollect) into the triage queue: all of an export, or none of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dutycare.domain.errors import Problem
from dutycare.domain.intake_form import FieldSubmission
from dutycare.service_layer.ports import IntakeQueue


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
