"""Accounts collected offline go into the same triage queue as the web form's, sealed the same way."""

from __future__ import annotations

import json
from datetime import date

from intake_kit import CHEAP, Intake

from dutycare.adapters.crypto.intake_box import ReceiptBook
from dutycare.adapters.intake_queue import SealedIntakeQueue
from dutycare.domain.intake_form import FieldSubmission
from dutycare.service_layer import field_collection
from dutycare.service_layer.intake_records import PartKind, part_aad

FIELD = FieldSubmission("uuid:1", "2024-05-03", "ru", "В госпитале отказали в операции, сказали — нет квот.",
                        {"where": "госпиталь"}, "Signal: Ольга", ("photo.jpg",))


def test_field_submissions_are_sealed_into_the_queue_once_each(intake: Intake) -> None:
    public = intake.store.public_key()
    assert public is not None
    queue = SealedIntakeQueue(intake.store, ReceiptBook(CHEAP), public, 10**9, lambda: date(2026, 12, 1))
    plain = FieldSubmission("uuid:2", None, "uk", "Поранений у коліно.", {})
    outcome = field_collection.queue_all(queue, [FIELD, FIELD, plain])
    assert isinstance(outcome, field_collection.Queued)
    assert [i for i, _ in outcome.queued] == ["uuid:1", "uuid:2"] and outcome.repeats == ["uuid:1"]
    rows = intake.store.submissions(None, 10, 0)
    assert [r.received_on for r in rows] == ["2024-05-03", "2026-12-01"]
    parts = intake.store.parts(rows[0].id)
    assert [p.kind for p in parts] == [PartKind.ACCOUNT, PartKind.CONTACT]
    document = json.loads(intake.opener.open(parts[0].sealed, part_aad(parts[0].uid, parts[0].kind)))
    assert document["account"] == FIELD.account and document["collected"]["instance"] == "uuid:1"
    assert "Ольга".encode() not in b"".join(p.sealed for p in parts) and "нет квот".encode() not in parts[0].sealed


def test_a_full_intake_database_stops_the_queue_and_says_how_far_it_got(intake: Intake) -> None:
    public = intake.store.public_key()
    assert public is not None
    queue = SealedIntakeQueue(intake.store, ReceiptBook(CHEAP), public, 1500, lambda: date(2026, 12, 1))
    outcome = field_collection.queue_all(queue, [FieldSubmission(f"uuid:{n}", None, "ru", "x" * 400, {})
                                                 for n in range(5)])
    assert isinstance(outcome, field_collection.NotQueued)
    assert 0 < len(outcome.queued) < 5 and "full" in str(outcome.problems[0])
    assert len(intake.store.submissions(None, 10, 0)) == len(outcome.queued)
