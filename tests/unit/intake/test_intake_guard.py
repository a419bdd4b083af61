"""Defences that do not rely on addresses: a global token bucket, and form tickets that must wait or carry work."""

from __future__ import annotations

import itertools

from dutycare.service_layer.intake_guard import (
    FormTickets,
    TicketVerdict,
    TokenBucket,
    leading_zero_bits,
    proof_digest,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_empties_and_refills_with_time() -> None:
    clock = Clock()
    bucket = TokenBucket(3, 0.5, clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 2
    assert bucket.take() and not bucket.take()
    clock.now += 3600
    assert sum(bucket.take() for _ in range(10)) == 3


def test_a_ticket_must_wait_is_taken_once_and_cannot_be_forged() -> None:
    clock = Clock()
    tickets = FormTickets(clock, wait_seconds=5, pow_bits=0)
    ticket = tickets.issue()
    soon = tickets.check(ticket)
    assert soon.verdict is TicketVerdict.TOO_SOON and soon.wait == 5
    clock.now += 6
    assert tickets.check(ticket).verdict is TicketVerdict.OK
    assert tickets.check(ticket).verdict is TicketVerdict.EXPIRED
    forged = ticket.rsplit(".", 1)[0] + "." + "0" * 32
    assert tickets.check(forged).verdict is TicketVerdict.EXPIRED
    assert FormTickets(clock, 5, 0).check(tickets.issue()).verdict is TicketVerdict.EXPIRED  # after a restart
    old = tickets.issue()
    clock.now += 2 * 24 * 3600
    assert tickets.check(old).verdict is TicketVerdict.EXPIRED


def test_proof_of_work_lets_a_client_skip_the_wait() -> None:
    clock = Clock()
    tickets = FormTickets(clock, wait_seconds=60, pow_bits=8)
    ticket = tickets.issue()
    nonce = next(str(n) for n in itertools.count() if leading_zero_bits(proof_digest(ticket, str(n))) >= 8)
    bad = next(str(n) for n in itertools.count() if leading_zero_bits(proof_digest(ticket, str(n))) == 0)
    assert tickets.check(ticket, bad).verdict is TicketVerdict.TOO_SOON
    assert tickets.check(ticket, nonce).verdict is TicketVerdict.OK


def test_leading_zero_bits() -> None:
    assert leading_zero_bits(b"\x00\x00\x80") == 16
    assert leading_zero_bits(b"\x01") == 7
    assert leading_zero_bits(b"\xff") == 0
