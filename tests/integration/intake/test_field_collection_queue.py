"""Field-collected accounts into the intake database: sealed to the intake public key like the web form's,
readable with the private key only, the contact apart, nothing in plaintext in the database file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from intake_kit import CHEAP, PASSPHRASE

from dutycare.adapters.crypto.intake_box import IntakeSealer, LockedIntakeKey, ReceiptBook
from dutycare.adapters.storage.intake_store import SqlIntakeStore
from dutycare.domain.intake_form import FieldSubmission
from dutycare.service_layer import intake
from dutycare.service_layer.field_collection import Queued, SealingQueue, queue_all
from dutycare.service_layer.intake_records import PartKind, part_aad

ACCOUNT = "Брата ранили в июле под Работино, в госпитале Ростова отказали в операции — сказали, нет мест."
CONTACT = "Signal: мама, после 18:00"


def test_submissions_are_sealed_into_the_queue_with_their_own_receipts(db_target: str) -> None:
    target = db_target.replace("dutycare.db", "intake.db")
    store = SqlIntakeStore.open(target)
    try:
        locked = LockedIntakeKey.generate(PASSPHRASE, CHEAP)
        store.set_public_key(locked.public_key)
        queue = SealingQueue(store, ReceiptBook(CHEAP), IntakeSealer(locked.public_key), date(2026, 12, 1))
        subs = [FieldSubmission("uuid:1", "2026-11-30", "ru", ACCOUNT, {"where": "госпиталь, Ростов"}, CONTACT,
                                ("IMG_0001.jpg",)),
                FieldSubmission("uuid:2", None, "uk", "Чоловіка контузило, відмовили в лікуванні.", {})]
        outcome = queue_all(queue, subs)
        assert isinstance(outcome, Queued) and [i for i, _ in outcome.queued] == ["uuid:1", "uuid:2"]
        opener = locked.unlock(PASSPHRASE)
        first_id = outcome.queued[0][1]
        parts = {p.kind: p for p in store.parts(first_id)}
        assert set(parts) == {PartKind.ACCOUNT, PartKind.CONTACT}
        account = parts[PartKind.ACCOUNT]
        document = json.loads(opener.open(account.sealed, part_aad(account.uid, PartKind.ACCOUNT)))
        assert document["account"] == ACCOUNT and document["facts"] == {"where": "госпиталь, Ростов"}
        assert document["collected"] == {"tool": "odk", "instance": "uuid:1", "on": "2026-11-30",
                                         "photos": ["IMG_0001.jpg"]}
        assert CONTACT not in json.dumps(document, ensure_ascii=False)
        contact = parts[PartKind.CONTACT]
        assert json.loads(opener.open(contact.sealed, part_aad(contact.uid, PartKind.CONTACT)))["contact"] == CONTACT
        assert [p.kind for p in store.parts(outcome.queued[1][1])] == [PartKind.ACCOUNT]
        access = intake.open_receipt(store, ReceiptBook(CHEAP), queue.codes[first_id])
        assert access is not None and access.submission_id == first_id
    finally:
        store.close()
    if "://" not in target:
        raw = b"".join(p.read_bytes() for p in Path(target).parent.glob(Path(target).name + "*"))
        for text in (ACCOUNT, CONTACT, "Работино"):
            for encoding in ("utf-8", "utf-16-le", "cp1251"):
                assert text.encode(encoding) not in raw
