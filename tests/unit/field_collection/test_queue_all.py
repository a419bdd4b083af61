"""Queuing field-collected submissions: all of a clean export, none of one with problems, repeats once."""

from __future__ import annotations

from dutycare.domain.errors import Problem
from dutycare.domain.intake_form import FieldSubmission
from dutycare.service_layer.field_collection import NotQueued, Queued, queue_all
from dutycare.service_layer.ports import IntakeQueue


class MemoryQueue(IntakeQueue):
    """An intake queue in memory, with room for a fixed number of submissions."""

    def __init__(self, room: int = 100) -> None:
        self.items: list[FieldSubmission] = []
        self.room = room

    def add(self, submission: FieldSubmission) -> str | None:
        if len(self.items) >= self.room:
            return None
        self.items.append(submission)
        return f"sub-{len(self.items)}"


def sub(instance: str, account: str = "Отказали в операции.") -> FieldSubmission:
    return FieldSubmission(instance, "2024-05-01", "ru", account, {})


def test_every_submission_is_queued_and_a_repeat_once() -> None:
    queue = MemoryQueue()
    outcome = queue_all(queue, [sub("a"), sub("b"), sub("a")])
    assert outcome == Queued([("a", "sub-1"), ("b", "sub-2")], ["a"])
    assert [s.instance_id for s in queue.items] == ["a", "b"]


def test_an_export_with_a_problem_queues_nothing() -> None:
    queue = MemoryQueue()
    problem = Problem("submission 2", "account", "is empty")
    assert queue_all(queue, [sub("a")], [problem]) == NotQueued([problem], [])
    assert queue.items == []


def test_an_empty_export_is_a_problem() -> None:
    outcome = queue_all(MemoryQueue(), [])
    assert isinstance(outcome, NotQueued) and str(outcome.problems[0]) == "file: holds no submissions"


def test_a_full_queue_says_what_went_in_before_it_filled() -> None:
    outcome = queue_all(MemoryQueue(room=1), [sub("a"), sub("b")])
    assert isinstance(outcome, NotQueued)
    assert outcome.queued == [("a", "sub-1")] and "full" in str(outcome.problems[0])
