"""The organisation key: how it is made, stored in a key file, or wrapped under a passphrase.

One random 256-bit organisation key protects everything an organisation records. It reaches a
running dutycare in one of two ways, chosen at ``dutycare init``:

* a key file (``dutycare-org-key-v1`` header line, then the key in base64), kept outside the data
  directory, e.g. on removable media;
* a passphrase: the key is stored wrapped (AES-256-GCM) under a key-encryption key derived from the
  passphrase with Argon2id. The wrapped form, a :class:`KeyringRecord`, holds no secret and is kept
  beside the data.

Working keys (the DEK-wrapping key, the key id, the key check value) are derived from the
organisation key with HKDF-SHA256 under distinct labels, so the raw key is never used directly.
See docs/keys.md.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from argon2.exceptions import HashingError
from argon2.low_level import ARGON2_VERSION, Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dutycare.adapters.crypto.errors import (
    CorruptCiphertext,
    CryptoError,
    KeyFileExists,
    KeyMissing,
    WrongKey,
)

ORG_KEY_LEN = 32
KEY_ID_LEN = 4
KEY_FILE_HEADER = "dutycare-org-key-v1"
KEY_FILE_MAX_BYTES = 4096
KEYRING_FORMAT = "dutycare-keyring-v1"
KEYRING_METHOD = "passphrase"
KEY_CHECK_PREFIX = "kcv1:"
_NONCE_LEN = 12
_SALT_LEN = 16
_DOCS_HINT = "See docs/keys.md."


class OrgKey:
    """A 256-bit organisation key; its bytes are never shown by repr or str."""

    __slots__ = ("_key_id", "_material", "_wrap_cipher")

    def __init__(self, material: bytes) -> None:
        if not isinstance(material, bytes) or len(material) != ORG_KEY_LEN:
            raise ValueError(f"an organisation key is exactly {ORG_KEY_LEN} bytes")
        self._material = material
        self._wrap_cipher: AESGCM | None = None
        self._key_id: bytes | None = None

    @classmethod
    def generate(cls) -> OrgKey:
        """Make a new random organisation key."""
        return cls(secrets.token_bytes(ORG_KEY_LEN))

    def _derive(self, label: bytes, length: int = 32) -> bytes:
        """Derive an independent sub-key for one purpose (HKDF-SHA256, ``label`` as info)."""
        return HKDF(algorithm=SHA256(), length=length, salt=None, info=label).derive(self._material)

    def key_id(self) -> bytes:
        """A short public identifier of this key, written into every blob to tell wrong keys apart."""
        if self._key_id is None:
            self._key_id = self._derive(b"dutycare|v1|key-id", KEY_ID_LEN)
        return self._key_id

    def wrap_cipher(self) -> AESGCM:
        """The AES-256-GCM object that wraps data keys; built once and reused."""
        if self._wrap_cipher is None:
            self._wrap_cipher = AESGCM(self._derive(b"dutycare|v1|dek-wrap"))
        return self._wrap_cipher

    def raw_bytes(self) -> bytes:
        """The key itself, only to wrap it under another key (a keyring, a recovery record, a key file)."""
        return self._material

    def __repr__(self) -> str:
        return "OrgKey(<hidden>)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OrgKey):
            return NotImplemented
        return hmac.compare_digest(self._material, other._material)

    __hash__ = None  # type: ignore[assignment]


# --- key file -------------------------------------------------------------------------------------


def create_key_file(path: Path) -> OrgKey:
    """Generate a new organisation key and write it to a new key file (mode 0600)."""
    org_key = OrgKey.generate()
    write_key_file(path, org_key)
    return org_key


def write_key_file(path: Path, org_key: OrgKey) -> None:
    """Write an existing organisation key to a new key file; never overwrites."""
    text = f"{KEY_FILE_HEADER}\n{base64.b64encode(org_key._material).decode('ascii')}\n"
    fd = _create_exclusive(path)
    try:
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def _create_exclusive(path: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileExists(
            f"A key file already exists at {path}. dutycare never overwrites a key file, because that "
            "would make everything encrypted with the old key unreadable. Choose another path. " + _DOCS_HINT
        ) from None
    except FileNotFoundError:
        raise CryptoError(f"The folder for the key file {path} does not exist. Create it first.") from None
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return fd


def load_key_file(path: Path) -> OrgKey:
    """Read an organisation key file, raising KeyMissing with an explanation if it is unusable."""
    raw = _read_key_file_bytes(path)
    try:
        lines = [line.strip() for line in raw.decode("ascii").splitlines() if line.strip()]
    except UnicodeDecodeError:
        lines = []
    if not lines or lines[0] != KEY_FILE_HEADER:
        raise _malformed(path, f"it does not start with the line '{KEY_FILE_HEADER}'")
    if len(lines) != 2:
        raise _malformed(path, "it should hold exactly one key line after the first line")
    try:
        material = base64.b64decode(lines[1], validate=True)
    except binascii.Error:
        raise _malformed(path, "the key line is not valid base64") from None
    if len(material) != ORG_KEY_LEN:
        raise _malformed(path, f"the key is {len(material)} bytes long instead of {ORG_KEY_LEN}")
    return OrgKey(material)


def _read_key_file_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(KEY_FILE_MAX_BYTES + 1)
    except FileNotFoundError:
        raise KeyMissing(
            f"The organisation key file {path} does not exist. Pass --key-file or set DUTYCARE_KEY_FILE "
            "to the right file (it may be on removable media that is not plugged in). " + _DOCS_HINT
        ) from None
    except IsADirectoryError:
        raise KeyMissing(f"{path} is a folder, not an organisation key file. " + _DOCS_HINT) from None
    except PermissionError:
        raise KeyMissing(
            f"The organisation key file {path} cannot be read: permission denied. Run dutycare as the "
            "user who owns the key file. " + _DOCS_HINT
        ) from None
    if len(raw) > KEY_FILE_MAX_BYTES:
        raise _malformed(path, "it is far too large to be a key file")
    return raw


def _malformed(path: Path, reason: str) -> KeyMissing:
    return KeyMissing(
        f"The file {path} is not a usable dutycare organisation key file: {reason}. Check that you chose "
        "the right file and that it was not edited or cut short; restore it from your backup. " + _DOCS_HINT
    )


# --- passphrase keyring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters; stored with each keyring so they can be raised later."""

    time_cost: int
    memory_cost_kib: int
    parallelism: int
    hash_len: int = 32
    salt_len: int = _SALT_LEN


RFC9106_LOW_MEMORY = KdfParams(time_cost=3, memory_cost_kib=64 * 1024, parallelism=4)
"""RFC 9106 section 4, second recommended option: Argon2id, t=3, p=4, m=64 MiB, 128-bit salt, 256-bit tag."""


class KdfRecord(TypedDict):
    """The JSON form of the Argon2id parameters inside a keyring record."""

    algorithm: str
    version: int
    time_cost: int
    memory_cost_kib: int
    parallelism: int
    hash_len: int


class KeyringRecord(TypedDict):
    """What the caller stores beside the data for passphrase unlocking; holds no secret."""

    format: str
    method: str
    kdf: KdfRecord
    salt: str
    wrapped_key: str


def new_passphrase_keyring(
    passphrase: str, *, params: KdfParams = RFC9106_LOW_MEMORY
) -> tuple[OrgKey, KeyringRecord]:
    """Make a new random organisation key and wrap it under the passphrase."""
    org_key = OrgKey.generate()
    return org_key, passphrase_keyring_for(org_key, passphrase, params=params)


def passphrase_keyring_for(
    org_key: OrgKey, passphrase: str, *, params: KdfParams = RFC9106_LOW_MEMORY
) -> KeyringRecord:
    """Wrap an existing organisation key under a (new) passphrase or (raised) Argon2id parameters."""
    if not passphrase:
        raise ValueError("the passphrase must not be empty")
    salt = secrets.token_bytes(params.salt_len)
    kdf = _kdf_record(params)
    kek = AESGCM(_derive_kek(passphrase, salt, kdf))
    nonce = secrets.token_bytes(_NONCE_LEN)
    wrapped = kek.encrypt(nonce, org_key._material, _keyring_aad(kdf, salt))
    return KeyringRecord(
        format=KEYRING_FORMAT,
        method=KEYRING_METHOD,
        kdf=kdf,
        salt=_b64(salt),
        wrapped_key=_b64(nonce + wrapped),
    )


def unlock_keyring(record: KeyringRecord, passphrase: str) -> OrgKey:
    """Recover the organisation key from a keyring record; WrongKey if the passphrase is wrong."""
    kdf, salt, blob = _parse_keyring(record)
    kek = AESGCM(_derive_kek(passphrase, salt, kdf))
    try:
        material = kek.decrypt(blob[:_NONCE_LEN], blob[_NONCE_LEN:], _keyring_aad(kdf, salt))
    except InvalidTag:
        raise WrongKey(
            "The passphrase is not correct for this database. Check the keyboard layout and Caps Lock, "
            "and try again. " + _DOCS_HINT
        ) from None
    return OrgKey(material)


def keyring_params(record: KeyringRecord) -> KdfParams:
    """The Argon2id parameters a keyring record was made with (to decide whether to re-wrap it)."""
    kdf, salt, _ = _parse_keyring(record)
    return KdfParams(kdf["time_cost"], kdf["memory_cost_kib"], kdf["parallelism"], kdf["hash_len"], len(salt))


def _kdf_record(params: KdfParams) -> KdfRecord:
    return KdfRecord(
        algorithm="argon2id",
        version=ARGON2_VERSION,
        time_cost=params.time_cost,
        memory_cost_kib=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=params.hash_len,
    )


def _derive_kek(passphrase: str, salt: bytes, kdf: KdfRecord) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    try:
        return hash_secret_raw(
            secret=secret,
            salt=salt,
            time_cost=kdf["time_cost"],
            memory_cost=kdf["memory_cost_kib"],
            parallelism=kdf["parallelism"],
            hash_len=kdf["hash_len"],
            type=Type.ID,
            version=kdf["version"],
        )
    except HashingError as exc:
        raise _damaged_keyring(f"its Argon2id parameters are unusable ({exc})") from None


def _keyring_aad(kdf: KdfRecord, salt: bytes) -> bytes:
    params = json.dumps(kdf, sort_keys=True, separators=(",", ":")).encode("ascii")
    return b"dutycare|v1|keyring|" + params + b"|" + salt


def _parse_keyring(record: KeyringRecord) -> tuple[KdfRecord, bytes, bytes]:
    try:
        if record["format"] != KEYRING_FORMAT or record["method"] != KEYRING_METHOD:
            raise _damaged_keyring(f"it is not a '{KEYRING_FORMAT}' passphrase keyring")
        kdf = _checked_kdf(record["kdf"])
        salt = base64.b64decode(record["salt"], validate=True)
        blob = base64.b64decode(record["wrapped_key"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise _damaged_keyring("a field is missing or malformed") from None
    if len(salt) < _SALT_LEN or len(blob) != _NONCE_LEN + ORG_KEY_LEN + 16:
        raise _damaged_keyring("the salt or the wrapped key has the wrong length")
    return kdf, salt, blob


def _checked_kdf(kdf: KdfRecord) -> KdfRecord:
    fields: Mapping[str, object] = kdf
    ints = ("version", "time_cost", "memory_cost_kib", "parallelism", "hash_len")
    if fields["algorithm"] != "argon2id" or any(type(fields[name]) is not int for name in ints):
        raise _damaged_keyring("the key-derivation parameters are not Argon2id integers")
    in_range = (
        1 <= kdf["time_cost"] <= 64
        and 1 <= kdf["parallelism"] <= 64
        and 8 * kdf["parallelism"] <= kdf["memory_cost_kib"] <= 4 * 1024 * 1024
        and kdf["hash_len"] == 32
    )
    if not in_range:
        raise _damaged_keyring("the key-derivation parameters are out of range")
    return kdf


def _damaged_keyring(reason: str) -> CorruptCiphertext:
    return CorruptCiphertext(
        f"The stored passphrase keyring is damaged or was made by a newer dutycare: {reason}. "
        "Restore it from a backup, or unlock with the key file instead. " + _DOCS_HINT
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- key check value ------------------------------------------------------------------------------


def key_check_value(org_key: OrgKey) -> str:
    """A public fingerprint of the key that the database stores to recognise its own key."""
    return KEY_CHECK_PREFIX + org_key._derive(b"dutycare|v1|key-check").hex()


def ensure_matches(org_key: OrgKey, stored_check: str) -> None:
    """Raise WrongKey unless ``org_key`` is the key whose check value the database stored."""
    if not isinstance(stored_check, str) or not stored_check.startswith(KEY_CHECK_PREFIX):
        raise CorruptCiphertext(
            "The key check stored in this database is unreadable, so dutycare cannot confirm the key. "
            "Restore the database from a backup. " + _DOCS_HINT
        )
    if not hmac.compare_digest(key_check_value(org_key).encode(), stored_check.encode()):
        raise WrongKey(
            "This key does not belong to this database. Use the key file or passphrase that was set up "
            "for this database with 'dutycare init'. " + _DOCS_HINT
        )
