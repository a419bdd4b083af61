"""The triage queue as offline collection feeds it: each field submission sealed to the intake public key and
stored in the intake database exactly as the web form stores its own (an account part, a contact part apart)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import date

from dutycare.adapters.crypto.intake_box import IntakeSealer
from dutycare.domain.intake_form import FieldSubmission
from dutycare.service_layer.intake_records import PartKind, SealedPart, part_aad
from dutycare.service_layer.ports import IntakeQueue, IntakeStore, ReceiptMaker


class SealedIntakeQueue(IntakeQueue):
    """Seals each field submission as it is queued; holds the public key only."""

    def __init__(self, store: IntakeStore, receipts: ReceiptMaker, public_key: bytes, quota_bytes: int,
                 today: Callable[[], date]) -> None:
        self.store = store
        self.receipts = receipts
        self.sealer = IntakeSealer(public_key)
        self.quota_bytes = quota_bytes
        self.today = today

    def _part(self, kind: PartKind, document: dict[str, object]) -> SealedPart:
        uid = secrets.token_hex(12)
        payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return SealedPart(uid, kind, self.sealer.seal(payload, part_aad(uid, kind)))

    def add(self, submission: FieldSubmission) -> str | None:
        """Queue one submission; its id in the queue, or None when the intake database is full."""
        parts = [self._part(PartKind.ACCOUNT, submission.document())]
        if submission.contact.strip():
            parts.append(self._part(PartKind.CONTACT, {"v": 1, "contact": submission.contact.strip()}))
        # A field submission has no receipt holder: the code is made (the row needs one) and never shown, so no
        # one can open it from the public side; answers go back through the field team.
        _, stored = self.receipts.new()
        received_on = submission.submitted_on or self.today().isoformat()
        submission_id = "sub-" + secrets.token_hex(10)
        if self.store.add_submission(submission_id, received_on, stored, parts, self.quota_bytes):
            return submission_id
        return None

