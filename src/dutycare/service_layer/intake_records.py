"""What the intake database holds, as the services see it: sealed parts, receipts and replies, never plaintext."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PartKind(StrEnum):
    """One sealed piece of a submission."""

    ACCOUNT = "account"  # the account and the optional structured facts, as one JSON document
    CONTACT = "contact"  # how to reach the person: sealed apart, opened only on purpose
    ATTACHMENT = "attachment"
    ADDITION = "addition"  # more information sent later with the receipt code


class SubmissionStatus(StrEnum):
    """Where a submission stands in triage."""

    NEW = "new"
    SPAM = "spam"
    CASE = "case"


@dataclass(frozen=True)
class SealedPart:
    """A part sealed to the intake public key, bound to ``uid`` and its kind."""

    uid: str
    kind: PartKind
    sealed: bytes


@dataclass(frozen=True)
class StoredReceipt:
    """A receipt as stored: a selector digest, a slow hash of the code and the public key replies are sealed to."""

    selector: str
    salt: bytes
    verifier: bytes
    reply_public_key: bytes


@dataclass(frozen=True)
class SubmissionRow:
    """A submission as listed: no content, only where it stands."""

    id: str
    received_on: str  # the day only: the intake database keeps no time of day
    status: SubmissionStatus
    parts: int
    additions: int


@dataclass(frozen=True)
class StoredPart:
    """A stored sealed part."""

    uid: str
    kind: PartKind
    received_on: str
    sealed: bytes


@dataclass(frozen=True)
class StoredReply:
    """A reply sealed to the submitter's receipt."""

    sent_on: str
    sealed: bytes


def part_aad(uid: str, kind: PartKind) -> bytes:
    """What a sealed part is bound to."""
    return f"dutycare-intake-part/{uid}/{kind.value}".encode("ascii")


def reply_aad(submission_id: str) -> bytes:
    """What a reply is bound to."""
    return f"dutycare-intake-reply/{submission_id}".encode("ascii")
