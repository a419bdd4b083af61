"""The public intake's cryptography, behind a few narrow classes whose methods say what they are for.

- ``IntakeSealer`` holds only the organisation's intake *public* key: the intake process seals each part of a
  submission to it as it arrives (a fresh XChaCha20-Poly1305 secretstream key per part, that key sealed with an
  X25519 sealed box), so the process cannot read back what it stored.
- ``IntakeOpener`` holds the private key, unlocked in memory in the staff application only.
- ``LockedIntakeKey`` is the private key as it is kept: encrypted under a key derived from a passphrase (Argon2id).
- ``Receipt`` is the code a submitter is shown once: it finds their submission, proves they hold it (only a slow
  hash is stored) and derives the key that opens the organisation's replies to them.

Every sealed part is bound to where it belongs (``aad``): a part moved to another submission does not open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import nacl.bindings as sodium
import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox

from dutycare.adapters.crypto.errors import CorruptCiphertext, WrongKey
from dutycare.service_layer.intake_records import StoredReceipt
from dutycare.service_layer.ports import IntakeKey, IntakeKeyLock, ReceiptMaker, ReplyReader, SubmissionSealer

MAGIC = b"DCI1"
CHUNK = 64 * 1024
_SEALED_KEY = sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES + 48  # ephemeral public key + MAC
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_LEN = struct.Struct(">I")


class PartSealer:
    """Seals one part (a text or a file) chunk by chunk as it is read; only ciphertext is ever kept."""

    def __init__(self, public_key: PublicKey, aad: bytes) -> None:
        key = sodium.crypto_secretstream_xchacha20poly1305_keygen()
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._aad = aad
        self._out = [MAGIC, SealedBox(public_key).encrypt(key), header]
        self._pending = bytearray()
        self.plain_size = 0

    def feed(self, data: bytes) -> None:
        """Add plaintext; whole chunks are encrypted at once and the plaintext buffer is cleared."""
        self.plain_size += len(data)
        self._pending += data
        while len(self._pending) > CHUNK:
            self._push(bytes(self._pending[:CHUNK]), _TAG_MESSAGE)
            del self._pending[:CHUNK]

    def finish(self) -> bytes:
        """The sealed part: the last chunk is marked final, so a truncated part does not open."""
        self._push(bytes(self._pending), _TAG_FINAL)
        self._pending.clear()
        return b"".join(self._out)

    def _push(self, chunk: bytes, tag: int) -> None:
        cipher = sodium.crypto_secretstream_xchacha20poly1305_push(self._state, chunk, self._aad, tag)
        self._out.append(_LEN.pack(len(cipher)))
        self._out.append(cipher)


class IntakeSealer(SubmissionSealer):
    """What the intake process holds: the public key, so it can seal and never open."""

    def __init__(self, public_key: bytes) -> None:
        self.public_key = PublicKey(public_key)

    def part(self, aad: bytes) -> PartSealer:
        """A sealer for one part of a submission, bound to ``aad``."""
        return PartSealer(self.public_key, aad)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """One whole part sealed at once."""
        part = self.part(aad)
        part.feed(plaintext)
        return part.finish()


class IntakeOpener:
    """The unlocked private key: opens sealed parts, in memory, in the staff application."""

    def __init__(self, private_key: PrivateKey) -> None:
        self._box = SealedBox(private_key)
        self.public_key = bytes(private_key.public_key)

    def chunks(self, sealed: bytes, aad: bytes) -> Iterator[bytes]:
        """The plaintext of a sealed part, chunk by chunk; refuses a damaged, truncated or misplaced part."""
        if not sealed.startswith(MAGIC) or len(sealed) < len(MAGIC) + _SEALED_KEY + _HEADER:
            raise CorruptCiphertext("A stored intake submission is damaged (it is not a sealed part).")
        at = len(MAGIC)
        try:
            key = self._box.decrypt(sealed[at:at + _SEALED_KEY])
        except nacl.exceptions.CryptoError:
            raise WrongKey("This intake submission was sealed to another intake key.") from None
        at += _SEALED_KEY
        state = sodium.crypto_secretstream_xchacha20poly1305_state()
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, sealed[at:at + _HEADER], key)
        at += _HEADER
        tag = _TAG_MESSAGE
        while at < len(sealed):
            if tag == _TAG_FINAL or at + _LEN.size > len(sealed):
                raise CorruptCiphertext("A stored intake submission is damaged (data after its end).")
            (length,) = _LEN.unpack_from(sealed, at)
            at += _LEN.size
            cipher = sealed[at:at + length]
            if len(cipher) != length or length < _ABYTES:
                raise CorruptCiphertext("A stored intake submission is damaged (it was cut short).")
            at += length
            try:
                plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, cipher, aad)
            except nacl.exceptions.CryptoError:
                raise CorruptCiphertext("A stored intake submission is damaged or belongs elsewhere.") from None
            yield plain
        if tag != _TAG_FINAL:
            raise CorruptCiphertext("A stored intake submission is damaged (it was cut short).")

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        """The whole plaintext of a sealed part."""
        return b"".join(self.chunks(sealed, aad))


# -- the private key at rest -------------------------------------------------------------------------------
@dataclass(frozen=True)
class KdfCost:
    """Argon2id's cost: operations and memory in bytes."""

    ops: int
    mem: int


KEY_LOCK_COST = KdfCost(nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE * 2)
MIN_PASSPHRASE = 12


def _kdf(size: int, secret: bytes, salt: bytes, cost: KdfCost) -> bytes:
    return nacl.pwhash.argon2id.kdf(size, secret, salt, opslimit=cost.ops, memlimit=cost.mem)


@dataclass(frozen=True)
class LockedIntakeKey:
    """The intake private key encrypted under a passphrase; its public half in the clear."""

    public_key: bytes
    salt: bytes
    box: bytes
    cost: KdfCost

    @classmethod
    def generate(cls, passphrase: str, cost: KdfCost = KEY_LOCK_COST) -> LockedIntakeKey:
        """A new key pair, its private half locked with the passphrase."""
        private = PrivateKey.generate()
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        key = _kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, cost)
        box = nacl.secret.SecretBox(key).encrypt(bytes(private))
        return cls(bytes(private.public_key), salt, bytes(box), cost)

    def unlock(self, passphrase: str) -> IntakeOpener:
        """The opener, or WrongKey for a wrong passphrase."""
        key = _kdf(nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), self.salt, self.cost)
        try:
            raw = nacl.secret.SecretBox(key).decrypt(self.box)
        except nacl.exceptions.CryptoError:
            raise WrongKey("That is not the intake key's passphrase.") from None
        private = PrivateKey(raw)
        if bytes(private.public_key) != self.public_key:
            raise CorruptCiphertext("The stored intake key is damaged.")
        return IntakeOpener(private)

    def to_text(self) -> str:
        """The locked key as one line of JSON, as the case database keeps it."""
        b64 = base64.b64encode
        return json.dumps({"v": 1, "kdf": "argon2id", "ops": self.cost.ops, "mem": self.cost.mem,
                           "public": b64(self.public_key).decode(), "salt": b64(self.salt).decode(),
                           "box": b64(self.box).decode()})

    @classmethod
    def from_text(cls, text: str) -> LockedIntakeKey:
        """Parse what ``to_text`` wrote; a damaged record is a CorruptCiphertext."""
        try:
            data = json.loads(text)
            return cls(base64.b64decode(data["public"], validate=True), base64.b64decode(data["salt"], validate=True),
                       base64.b64decode(data["box"], validate=True), KdfCost(int(data["ops"]), int(data["mem"])))
        except (ValueError, KeyError, TypeError):
            raise CorruptCiphertext("The stored intake key is damaged.") from None


def public_key_text(public_key: bytes) -> str:
    """A public key as it is written to files and settings."""
    return "dutycare-intake-pk:" + base64.b64encode(public_key).decode("ascii")


def parse_public_key(text: str) -> bytes:
    """The raw public key from ``public_key_text``; ValueError if it is not one."""
    prefix = "dutycare-intake-pk:"
    text = text.strip()
    if not text.startswith(prefix):
        raise ValueError("not a dutycare intake public key")
    raw = base64.b64decode(text[len(prefix):], validate=True)
    if len(raw) != 32:
        raise ValueError("not a dutycare intake public key")
    return raw


# -- receipts ----------------------------------------------------------------------------------------------
RECEIPT_BYTES = 15  # 120 bits, 24 base32 letters
SELECTOR_CHARS = 8
RECEIPT_COST = KdfCost(nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE // 2)
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B", "9": "G"})


@dataclass(frozen=True)
class ReceiptRecord:
    """What is stored about a receipt: a selector digest to find the row, a slow hash to check the code, and the
    public key that replies are sealed to (its private half is derived from the code)."""

    selector: str
    salt: bytes
    verifier: bytes
    reply_public_key: bytes


@dataclass(frozen=True)
class Receipt:
    """A receipt code: 24 base32 letters in groups of four, shown once."""

    code: str

    @classmethod
    def new(cls) -> Receipt:
        """A fresh random code."""
        letters = base64.b32encode(secrets.token_bytes(RECEIPT_BYTES)).decode("ascii")
        return cls("-".join(letters[i:i + 4] for i in range(0, len(letters), 4)))

    @staticmethod
    def normalise(typed: str) -> str | None:
        """The letters of a typed code (spaces, dashes, case and look-alike digits forgiven), or None."""
        letters = "".join(c for c in typed.upper() if c.isalnum()).translate(_CONFUSABLE)
        if len(letters) != len(base64.b32encode(bytes(RECEIPT_BYTES))) or any(
                c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in letters):
            return None
        return letters

    @property
    def letters(self) -> str:
        """The code without separators."""
        return self.code.replace("-", "")


def selector_of(letters: str) -> str:
    """The look-up digest of a code's first letters (the rest of the code is only ever checked slowly)."""
    return hashlib.sha256(b"dutycare-receipt-selector:" + letters[:SELECTOR_CHARS].encode()).hexdigest()


def _derive(letters: str, salt: bytes, cost: KdfCost) -> tuple[bytes, PrivateKey]:
    raw = _kdf(64, letters.encode("ascii"), salt, cost)
    return hashlib.sha256(b"dutycare-receipt-verifier:" + raw[:32]).digest(), PrivateKey(raw[32:])


def receipt_record(receipt: Receipt, cost: KdfCost = RECEIPT_COST) -> ReceiptRecord:
    """What to store for a new receipt."""
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    verifier, reply_key = _derive(receipt.letters, salt, cost)
    return ReceiptRecord(selector_of(receipt.letters), salt, verifier, bytes(reply_key.public_key))


_DECOY_SALT = bytes(nacl.pwhash.argon2id.SALTBYTES)


def check_receipt(letters: str, record: ReceiptRecord | None, cost: KdfCost = RECEIPT_COST) -> PrivateKey | None:
    """The reply key if the code matches the record; None otherwise. The slow hash runs even without a record,
    so a wrong code takes as long whether or not its first letters exist."""
    verifier, reply_key = _derive(letters, record.salt if record else _DECOY_SALT, cost)
    if record is None or not hmac.compare_digest(verifier, record.verifier):
        return None
    return reply_key


def seal_reply(reply_public_key: bytes, text: str, aad: bytes) -> bytes:
    """A reply from the organisation, readable only with the receipt code."""
    return SealedBox(PublicKey(reply_public_key)).encrypt(aad + b"\x00" + text.encode("utf-8"))


def open_reply(reply_key: PrivateKey, sealed: bytes, aad: bytes) -> str:
    """A reply's text; refuses one sealed for another submission."""
    try:
        plain = SealedBox(reply_key).decrypt(sealed)
    except nacl.exceptions.CryptoError:
        raise CorruptCiphertext("A stored reply is damaged.") from None
    prefix = aad + b"\x00"
    if not plain.startswith(prefix):
        raise CorruptCiphertext("A stored reply belongs to another submission.")
    return plain[len(prefix):].decode("utf-8")


# -- the service layer's ports, fulfilled --------------------------------------------------------------------
class _ReplyReader(ReplyReader):
    def __init__(self, key: PrivateKey) -> None:
        self._key = key

    def open_reply(self, sealed: bytes, aad: bytes) -> str:
        return open_reply(self._key, sealed, aad)


class ReceiptBook(ReceiptMaker):
    """Receipt codes at a given Argon2id cost (tests may make it cheap)."""

    def __init__(self, cost: KdfCost = RECEIPT_COST) -> None:
        self.cost = cost

    def new(self) -> tuple[str, StoredReceipt]:
        """A fresh code (to show once) and what to store about it."""
        receipt = Receipt.new()
        r = receipt_record(receipt, self.cost)
        return receipt.code, StoredReceipt(r.selector, r.salt, r.verifier, r.reply_public_key)

    def parse(self, typed: str) -> tuple[str, str] | None:
        """(letters, selector digest) of a typed code, or None if it cannot be a code at all."""
        letters = Receipt.normalise(typed)
        return (letters, selector_of(letters)) if letters else None

    def check(self, letters: str, stored: StoredReceipt | None) -> ReplyReader | None:
        """The reply reader if the code is right; the slow hash runs either way."""
        record = ReceiptRecord(stored.selector, stored.salt, stored.verifier, stored.reply_public_key) \
            if stored else None
        key = check_receipt(letters, record, self.cost)
        return _ReplyReader(key) if key is not None else None


class UnlockedIntakeKey(IntakeKey):
    """The opener as the triage services use it."""

    def __init__(self, opener: IntakeOpener) -> None:
        self._opener = opener

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        return self._opener.open(sealed, aad)

    def seal_reply(self, reply_public_key: bytes, text: str, aad: bytes) -> bytes:
        return seal_reply(reply_public_key, text, aad)


class StoredIntakeKeyLock(IntakeKeyLock):
    """The locked key read from the case database."""

    def __init__(self, locked: LockedIntakeKey) -> None:
        self.locked = locked

    def unlock_or_none(self, passphrase: str) -> IntakeKey | None:
        try:
            return UnlockedIntakeKey(self.locked.unlock(passphrase))
        except WrongKey:
            return None
