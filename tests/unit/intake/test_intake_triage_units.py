"""The intake key stays in memory for a limited time; a case draft takes only the suggestions a person ticked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dutycare.domain.suggested_facts import Suggestion
from dutycare.entrypoints.web.routers.intake import draft_from_form, segments
from dutycare.service_layer.intake_triage import UNLOCK_MINUTES, IntakeKeyring


class Key:
    def open(self, sealed: bytes, aad: bytes) -> bytes:
        return sealed

    def seal_reply(self, reply_public_key: bytes, text: str, aad: bytes) -> bytes:
        return text.encode()


def test_the_unlocked_key_forgets_itself() -> None:
    ring = IntakeKeyring()
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    key = Key()
    assert ring.current(now) is None
    ring.hold(key, now)
    assert ring.current(now + timedelta(minutes=UNLOCK_MINUTES - 1)) is key
    assert ring.current(now + timedelta(minutes=UNLOCK_MINUTES)) is None
    ring.hold(key, now)
    ring.forget()
    assert ring.current(now) is None


def test_a_draft_takes_only_the_ticked_suggestions_as_edited() -> None:
    draft = draft_from_form({
        "pseudonym": "Алексей", "title": "Дело",
        "accept-0": "yes", "kind-0": "injury", "summary-0": "Осколочное ранение", "value-0": '{"injury": "x"}',
        "date-0": "2024-03",
        "kind-1": "refusal", "summary-1": "отказали", "value-1": "{}", "date-1": "2024-04",
        "accept-2": "yes", "kind-2": "age", "summary-2": "24 года", "value-2": '{"years": 24}',
        "accept-3": "yes", "kind-3": "institution", "summary-3": "госпиталь", "value-3": '{"type": "hospital"}',
        "accept-4": "yes", "kind-4": "injury", "summary-4": "x", "value-4": "not json",
    })
    assert [f.kind for f in draft.facts] == ["injury", "age", "institution", "injury"]
    assert draft.facts[0].summary == "Осколочное ранение" and draft.facts[0].date == "2024-03"
    assert draft.facts[3].value == {}
    assert draft.age == 24 and draft.institution_name == "госпиталь" and draft.institution_type == "hospital"


def test_highlighting_skips_overlaps_and_keeps_every_character() -> None:
    text = "ВВК признала годным в марте"
    found = [Suggestion("fitness_decision", {}, 4, 19, text[4:19]), Suggestion("date", "2024-03", 10, 19, "x"),
             Suggestion("date", "2024-03", 20, 27, text[20:27]), Suggestion("date", "", 30, 40, "out of range")]
    parts = segments(text, found)
    assert "".join(p.text for p in parts) == text
    assert [p.index for p in parts if p.index is not None] == [0, 2]
