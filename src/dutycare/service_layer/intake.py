"""The public side of intake: take a sealed submission and give its receipt, let the receipt's holder read
replies and add information. Nothing here ever sees plaintext: the form handler seals every part as it reads it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dutycare.service_layer.intake_records import SealedPart, reply_aad
from dutycare.service_layer.ports import IntakeStore, ReceiptMaker, ReplyReader


@dataclass(frozen=True)
class IntakeLimits:
    """How much the form takes: per field, per file, per request, per submission, and in all."""

    body_bytes: int = 24 << 20
    account_chars: int = 20_000
    field_chars: int = 500
    contact_chars: int = 1_000
    file_bytes: int = 8 << 20
    files: int = 5
    additions: int = 20
    quota_bytes: int = 2 << 30
    concurrent_uploads: int = 4


class Refusal(StrEnum):
    """Why a submission that was well formed was not stored."""

    FULL = "full"  # the intake database reached its quota
    LIMIT = "limit"  # this submission already holds as many additions as it may


@dataclass(frozen=True)
class Accepted:
    """A stored submission: the receipt code to show once."""

    submission_id: str
    code: str


@dataclass(frozen=True)
class Refused:
    """Nothing was stored, and why."""

    reason: Refusal


@dataclass(frozen=True)
class ReceiptAccess:
    """A submission opened with its receipt code."""

    submission_id: str
    reader: ReplyReader


@dataclass(frozen=True)
class Reply:
    """A reply from the organisation, as the submitter reads it."""

    sent_on: str
    text: str


def new_part_uid() -> str:
    """A random id for a sealed part (its seal is bound to it)."""
    return secrets.token_hex(12)


def accept(store: IntakeStore, receipts: ReceiptMaker, parts: Sequence[SealedPart], today: date,
           limits: IntakeLimits) -> Accepted | Refused:
    """Store a sealed submission and return its receipt code, or say why it was not stored."""
    for _ in range(3):  # a receipt's selector may, very rarely, be taken already
        code, stored = receipts.new()
        submission_id = "sub-" + secrets.token_hex(10)
        if store.add_submission(submission_id, today.isoformat(), stored, parts, limits.quota_bytes):
            return Accepted(submission_id, code)
        if store.stored_bytes() + sum(len(p.sealed) for p in parts) > limits.quota_bytes:
            break
    return Refused(Refusal.FULL)


def open_receipt(store: IntakeStore, receipts: ReceiptMaker, typed: str) -> ReceiptAccess | None:
    """The submission a typed code opens, or None: a wrong code says nothing about whether it exists."""
    parsed = receipts.parse(typed)
    if parsed is None:
        receipts.check("A" * 24, None)  # the same slow hash as a well-formed wrong code
        return None
    letters, selector = parsed
    found = store.receipt(selector)
    reader = receipts.check(letters, found[1] if found else None)
    if found is None or reader is None:
        return None
    return ReceiptAccess(found[0], reader)


def replies(store: IntakeStore, access: ReceiptAccess) -> list[Reply]:
    """The organisation's replies, opened with the key the receipt code derives."""
    aad = reply_aad(access.submission_id)
    return [Reply(r.sent_on, access.reader.open_reply(r.sealed, aad)) for r in store.replies(access.submission_id)]


def add_information(store: IntakeStore, access: ReceiptAccess, parts: Sequence[SealedPart], today: date,
                    limits: IntakeLimits) -> Refused | None:
    """Add sealed parts to the receipt's submission; None when stored."""
    if store.add_parts(access.submission_id, today.isoformat(), parts, limits.quota_bytes, limits.additions):
        return None
    if store.stored_bytes() + sum(len(p.sealed) for p in parts) > limits.quota_bytes:
        return Refused(Refusal.FULL)
    return Refused(Refusal.LIMIT)
