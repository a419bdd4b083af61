"""Envelope encryption: a fresh data key per record, wrapped by the organisation key.

Blob format, version 1 (all offsets in bytes)::

    0   3   magic b"DCE"
    3   1   format version (1)
    4   4   key id of the organisation key (public, tells a wrong key from damage)
    8   12  wrap nonce
    20  48  wrapped data key: AES-256-GCM(wrap key, data key) = 32 bytes + 16-byte tag
    68  12  payload nonce
    80  n   payload ciphertext, followed by its 16-byte tag

Both AES-GCM operations authenticate associated data naming the record (e.g. kind, id, version), so
a blob only opens for the exact record it was sealed for. See docs/keys.md.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dutycare.adapters.crypto.errors import CorruptCiphertext, WrongKey
from dutycare.adapters.crypto.keys import KEY_ID_LEN, OrgKey

MAGIC = b"DCE"
FORMAT_VERSION = 1
NONCE_LEN = 12
DEK_LEN = 32
TAG_LEN = 16
WRAPPED_DEK_LEN = NONCE_LEN + DEK_LEN + TAG_LEN
HEADER = MAGIC + bytes([FORMAT_VERSION])
_PAYLOAD_START = len(HEADER) + KEY_ID_LEN + WRAPPED_DEK_LEN + NONCE_LEN
MIN_BLOB_LEN = _PAYLOAD_START + TAG_LEN

AadParts = Sequence[str | int]


def record_aad(parts: AadParts) -> bytes:
    """Encode record-identifying parts as associated data, e.g. b"dutycare|v1|event|ev-12|3"."""
    encoded = [b"dutycare", b"v%d" % FORMAT_VERSION]
    for part in parts:
        encoded.append(_encode_part(part))
    return b"|".join(encoded)


def _encode_part(part: str | int) -> bytes:
    if isinstance(part, bool) or not isinstance(part, str | int):
        raise TypeError(f"associated-data parts must be str or int, not {type(part).__name__}")
    text = str(part)
    # Escaping "\\" and "|" keeps the encoding injective: different part lists never collide.
    if "|" in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace("|", "\\|")
    return text.encode("utf-8", "surrogatepass")


def describe(parts: AadParts) -> str:
    """A human-readable name for the record the parts identify, for error messages."""
    return "/".join(str(part) for part in parts)


def wrap_dek(org_key: OrgKey, dek: bytes, aad: bytes) -> bytes:
    """Encrypt a data key under the organisation key: nonce (12) + ciphertext (32) + tag (16)."""
    nonce = os.urandom(NONCE_LEN)
    return nonce + org_key.wrap_cipher().encrypt(nonce, dek, aad)


def unwrap_dek(org_key: OrgKey, stored_key_id: bytes, wrapped: bytes, aad: bytes, what: str) -> bytes:
    """Recover a wrapped data key; WrongKey if another key sealed it, CorruptCiphertext if damaged."""
    try:
        dek = org_key.wrap_cipher().decrypt(wrapped[:NONCE_LEN], wrapped[NONCE_LEN:], aad)
    except InvalidTag:
        if stored_key_id != org_key.key_id():
            raise wrong_key(what) from None
        raise corrupt(what) from None
    if stored_key_id != org_key.key_id():
        raise corrupt(what)
    return dek


def wrong_key(what: str) -> WrongKey:
    """The error for data that was encrypted under a different organisation key."""
    return WrongKey(
        f"The {what} was encrypted with a different organisation key. Use the key file or passphrase "
        "that belongs to this database; see docs/keys.md."
    )


def corrupt(what: str) -> CorruptCiphertext:
    """The error for encrypted data that fails its integrity check."""
    return CorruptCiphertext(
        f"The {what} failed its integrity check: it is damaged, cut short, or was moved from another "
        "record. Do not trust this copy; restore it from a backup and report possible tampering."
    )


def seal(org_key: OrgKey, aad_parts: AadParts, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` under a fresh data key, bound to the record named by ``aad_parts``."""
    aad = record_aad(aad_parts)
    randomness = os.urandom(DEK_LEN + 2 * NONCE_LEN)
    dek = randomness[:DEK_LEN]
    wrap_nonce = randomness[DEK_LEN : DEK_LEN + NONCE_LEN]
    payload_nonce = randomness[DEK_LEN + NONCE_LEN :]
    wrapped = org_key.wrap_cipher().encrypt(wrap_nonce, dek, b"dek|" + aad)
    payload = AESGCM(dek).encrypt(payload_nonce, plaintext, b"data|" + aad)
    return b"".join((HEADER, org_key.key_id(), wrap_nonce, wrapped, payload_nonce, payload))


def open_(org_key: OrgKey, aad_parts: AadParts, blob: bytes) -> bytes:
    """Decrypt a blob made by :func:`seal` for the same record; raises WrongKey or CorruptCiphertext."""
    aad = record_aad(aad_parts)
    what = f"encrypted record {describe(aad_parts)}"
    _check_header(blob, what)
    key_id_end = len(HEADER) + KEY_ID_LEN
    wrapped_end = key_id_end + WRAPPED_DEK_LEN
    dek = unwrap_dek(
        org_key, blob[len(HEADER) : key_id_end], blob[key_id_end:wrapped_end], b"dek|" + aad, what
    )
    try:
        return AESGCM(dek).decrypt(blob[wrapped_end:_PAYLOAD_START], blob[_PAYLOAD_START:], b"data|" + aad)
    except InvalidTag:
        raise corrupt(what) from None


def rewrap(old_key: OrgKey, new_key: OrgKey, aad_parts: AadParts, blob: bytes) -> bytes:
    """The same blob with its data key wrapped by ``new_key`` instead of ``old_key``; the payload is untouched."""
    aad = b"dek|" + record_aad(aad_parts)
    what = f"encrypted record {describe(aad_parts)}"
    _check_header(blob, what)
    key_id_end = len(HEADER) + KEY_ID_LEN
    wrapped_end = key_id_end + WRAPPED_DEK_LEN
    dek = unwrap_dek(old_key, blob[len(HEADER) : key_id_end], blob[key_id_end:wrapped_end], aad, what)
    return b"".join((HEADER, new_key.key_id(), wrap_dek(new_key, dek, aad), blob[wrapped_end:]))


def key_id_of(blob: bytes) -> bytes | None:
    """The key id written in a blob made by :func:`seal`, or None if it is not one."""
    if len(blob) < MIN_BLOB_LEN or blob[: len(HEADER)] != HEADER:
        return None
    return blob[len(HEADER) : len(HEADER) + KEY_ID_LEN]


def _check_header(blob: bytes, what: str) -> None:
    if len(blob) < MIN_BLOB_LEN:
        raise CorruptCiphertext(
            f"The {what} is too short to be encrypted data ({len(blob)} bytes): it was cut short or "
            "replaced. Restore it from a backup."
        )
    if blob[: len(MAGIC)] != MAGIC:
        raise CorruptCiphertext(f"The {what} is not dutycare encrypted data. Restore it from a backup.")
    if blob[len(MAGIC)] != FORMAT_VERSION:
        raise CorruptCiphertext(
            f"The {what} uses encryption format {blob[len(MAGIC)]}, which this dutycare does not know. "
            "Upgrade dutycare, or restore the record from a backup if it is damaged."
        )
