"""The intake form's defences that do not depend on who is asking (over Tor every address is the same).

- ``TokenBucket``: a global budget of submissions (and of receipt checks, each a slow hash) per unit of time.
- ``FormTickets``: every form carries a signed ticket with the moment it was served. A submission is taken only
  once the ticket has waited ``wait_seconds`` (a person writing an account always has), or with a hashcash-like
  proof of work on the ticket (for clients that compute one); each ticket is taken once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

Seconds = Callable[[], float]


class TokenBucket:
    """``capacity`` tokens, refilled at ``per_second``; thread-safe, in the process's memory."""

    def __init__(self, capacity: float, per_second: float, clock: Seconds) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self._clock = clock
        self._tokens = capacity
        self._at = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Take a token if one is left."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.per_second)
            self._at = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


class TicketVerdict(StrEnum):
    """What a form ticket says about a submission."""

    OK = "ok"
    TOO_SOON = "too_soon"
    EXPIRED = "expired"  # too old, from before a restart, altered, or already used


@dataclass(frozen=True)
class TicketCheck:
    """A verdict, and how many seconds are left to wait when it came too soon."""

    verdict: TicketVerdict
    wait: int = 0


TICKET_LIFETIME = 24 * 3600
MAX_USED_TICKETS = 100_000


def leading_zero_bits(digest: bytes) -> int:
    """How many leading bits of a digest are zero."""
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def proof_digest(ticket: str, nonce: str) -> bytes:
    """The SHA-256 a proof of work must make start with zeros."""
    return hashlib.sha256(f"{ticket}:{nonce}".encode()).digest()


class FormTickets:
    """Signs and checks form tickets with a key that lives only in this process's memory."""

    def __init__(self, clock: Seconds, wait_seconds: int, pow_bits: int) -> None:
        self._key = secrets.token_bytes(32)
        self._clock = clock
        self.wait_seconds = wait_seconds
        self.pow_bits = pow_bits
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        """A new ticket for a form being served."""
        body = f"{int(self._clock())}.{secrets.token_hex(8)}"
        return f"{body}.{self._mac(body)}"

    def _mac(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]

    def check(self, ticket: str, nonce: str = "") -> TicketCheck:
        """Whether a submission with this ticket (and optional proof of work) may be taken; OK uses it up."""
        body, _, mac = ticket.rpartition(".")
        issued_text = body.partition(".")[0]
        if not body or not issued_text.isdigit() or not hmac.compare_digest(mac, self._mac(body)):
            return TicketCheck(TicketVerdict.EXPIRED)
        age = self._clock() - int(issued_text)
        if age > TICKET_LIFETIME or age < -60:
            return TicketCheck(TicketVerdict.EXPIRED)
        worked = self.pow_bits > 0 and bool(nonce) and len(nonce) <= 64 and \
            leading_zero_bits(proof_digest(ticket, nonce)) >= self.pow_bits
        if age < self.wait_seconds and not worked:
            return TicketCheck(TicketVerdict.TOO_SOON, max(1, int(self.wait_seconds - age + 0.999)))
        with self._lock:
            if ticket in self._used:
                return TicketCheck(TicketVerdict.EXPIRED)
            self._forget_old()
            self._used[ticket] = self._clock()
        return TicketCheck(TicketVerdict.OK)

    def _forget_old(self) -> None:
        now = self._clock()
        if len(self._used) >= MAX_USED_TICKETS:
            for t in [t for t, at in self._used.items() if now - at > TICKET_LIFETIME] or list(self._used)[:1000]:
                self._used.pop(t, None)
