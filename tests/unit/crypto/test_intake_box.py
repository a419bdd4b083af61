"""The intake's sealing: only the private key opens a part, a part opens only where it was bound, a receipt code
is checked by a slow hash and derives the key of its replies."""

from __future__ import annotations

import pytest
from nacl.public import PrivateKey

from dutycare.adapters.crypto.errors import CorruptCiphertext, WrongKey
from dutycare.adapters.crypto.intake_box import (
    CHUNK,
    IntakeOpener,
    IntakeSealer,
    KdfCost,
    LockedIntakeKey,
    Receipt,
    ReceiptBook,
    check_receipt,
    open_reply,
    parse_public_key,
    public_key_text,
    receipt_record,
    seal_reply,
)

CHEAP = KdfCost(1, 8192 * 1024)


@pytest.fixture
def pair() -> tuple[IntakeSealer, IntakeOpener]:
    private = PrivateKey.generate()
    return IntakeSealer(bytes(private.public_key)), IntakeOpener(private)


def test_a_part_opens_with_the_private_key_and_its_own_binding(pair: tuple[IntakeSealer, IntakeOpener]) -> None:
    sealer, opener = pair
    text = "Сына признали годным, осколок так и остался в ноге".encode()
    sealed = sealer.seal(text, b"part/1")
    assert text not in sealed
    assert opener.open(sealed, b"part/1") == text
    with pytest.raises(CorruptCiphertext):
        opener.open(sealed, b"part/2")


def test_a_large_part_is_sealed_in_chunks_and_a_cut_one_is_refused(pair: tuple[IntakeSealer, IntakeOpener]) -> None:
    sealer, opener = pair
    data = bytes(range(256)) * (3 * CHUNK // 256 + 7)
    part = sealer.part(b"file")
    for i in range(0, len(data), 1000):
        part.feed(data[i:i + 1000])
    sealed = part.finish()
    assert opener.open(sealed, b"file") == data
    cut = sealed[: len(sealed) - (CHUNK // 2)]
    with pytest.raises(CorruptCiphertext):
        opener.open(cut, b"file")
    with pytest.raises(CorruptCiphertext):
        opener.open(sealed + b"\x00\x00\x00\x20" + bytes(32), b"file")


def test_another_key_does_not_open_a_part(pair: tuple[IntakeSealer, IntakeOpener]) -> None:
    sealer, _ = pair
    with pytest.raises(WrongKey):
        IntakeOpener(PrivateKey.generate()).open(sealer.seal(b"x", b"a"), b"a")
    with pytest.raises(CorruptCiphertext):
        IntakeOpener(PrivateKey.generate()).open(b"not sealed", b"a")


def test_the_private_key_is_kept_locked_with_its_passphrase() -> None:
    locked = LockedIntakeKey.generate("a long enough passphrase", CHEAP)
    again = LockedIntakeKey.from_text(locked.to_text())
    sealed = IntakeSealer(locked.public_key).seal(b"account", b"p")
    assert again.unlock("a long enough passphrase").open(sealed, b"p") == b"account"
    with pytest.raises(WrongKey):
        again.unlock("a wrong passphrase here")
    with pytest.raises(CorruptCiphertext):
        LockedIntakeKey.from_text('{"v": 1}')


def test_public_key_text_round_trips_and_refuses_other_text() -> None:
    raw = bytes(PrivateKey.generate().public_key)
    assert parse_public_key(public_key_text(raw)) == raw
    with pytest.raises(ValueError):
        parse_public_key("ssh-ed25519 AAAA")


def test_a_receipt_code_is_forgiving_to_type_and_checked_slowly() -> None:
    receipt = Receipt.new()
    assert len(receipt.letters) == 24 and receipt.code.count("-") == 5
    record = receipt_record(receipt, CHEAP)
    typed = receipt.code.lower().replace("-", " ")
    letters = Receipt.normalise(typed)
    assert letters == receipt.letters
    assert check_receipt(letters, record, CHEAP) is not None
    wrong = ("B" if letters[-1] != "B" else "C")
    assert check_receipt(letters[:-1] + wrong, record, CHEAP) is None
    assert check_receipt(letters, None, CHEAP) is None
    assert Receipt.normalise("too short") is None
    assert record.verifier not in receipt.letters.encode()


def test_a_reply_opens_only_with_the_code_of_its_submission() -> None:
    book = ReceiptBook(CHEAP)
    code, stored = book.new()
    letters, _ = book.parse(code) or ("", "")
    reader = book.check(letters, stored)
    assert reader is not None
    sealed = seal_reply(stored.reply_public_key, "Мы получили ваш рассказ.", b"sub-1")
    assert reader.open_reply(sealed, b"sub-1") == "Мы получили ваш рассказ."
    with pytest.raises(CorruptCiphertext):
        reader.open_reply(sealed, b"sub-2")
    with pytest.raises(CorruptCiphertext):
        open_reply(PrivateKey.generate(), sealed, b"sub-1")
