"""Ed25519 signing of ledger checkpoints, with the private key kept sealed by the organisation key."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dutycare.adapters.crypto.envelope import open_, seal
from dutycare.adapters.crypto.errors import CorruptCiphertext
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.domain.errors import DomainError
from dutycare.ledger.checkpoint import CheckpointError, key_id, verifier_key

SEALED_KIND = "checkpoint-signing-key"
SEALED_FORMAT = 1
PRIVATE_KEY_LEN = 32
PUBLIC_KEY_LEN = 32
SIGNATURE_LEN = 64


class Ed25519CheckpointSigner:
    """Signs ledger checkpoints with an Ed25519 key identified by ``key_name``."""

    def __init__(self, key_name: str, private_key: Ed25519PrivateKey) -> None:
        self.key_name = key_name
        self._private_key = private_key

    @classmethod
    def generate(cls, key_name: str) -> Ed25519CheckpointSigner:
        """Create a signer with a fresh random Ed25519 key."""
        return cls(key_name, Ed25519PrivateKey.generate())

    def public_key_raw(self) -> bytes:
        """The 32-byte raw public key, to publish and to store next to checkpoints."""
        return self._private_key.public_key().public_bytes_raw()

    def sign(self, message: bytes) -> bytes:
        """A 64-byte Ed25519 signature over ``message``."""
        return self._private_key.sign(message)

    def to_sealed(self, org_key: OrgKey) -> bytes:
        """The private key encrypted under the organisation key, bound to this key name."""
        return seal(org_key, _aad_parts(self.key_name), self._private_key.private_bytes_raw())

    @classmethod
    def from_sealed(cls, org_key: OrgKey, key_name: str, blob: bytes) -> Ed25519CheckpointSigner:
        """Rebuild a signer from :meth:`to_sealed` output; WrongKey or CorruptCiphertext on failure."""
        raw = open_(org_key, _aad_parts(key_name), blob)
        if len(raw) != PRIVATE_KEY_LEN:
            raise CorruptCiphertext(
                f"The sealed checkpoint signing key '{key_name}' does not hold an Ed25519 key. "
                "Restore it from a backup."
            )
        return cls(key_name, Ed25519PrivateKey.from_private_bytes(raw))

    def __repr__(self) -> str:
        return f"Ed25519CheckpointSigner(key_name={self.key_name!r}, private key hidden)"


def _aad_parts(key_name: str) -> tuple[str, str, int]:
    return (SEALED_KIND, key_name, SEALED_FORMAT)


def ed25519_check(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    """True if ``signature`` is a valid Ed25519 signature of ``message``; never raises on bad input."""
    if len(public_key_raw) != PUBLIC_KEY_LEN or len(signature) != SIGNATURE_LEN:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


SIGNER_KEY_PREFIX = "PRIVATE+KEY+"


def new_witness_key(name: str) -> tuple[str, str]:
    """A fresh witness key as (signer key text, verifier key text), in the signed-note key formats."""
    signer = Ed25519CheckpointSigner.generate(name)
    seed = signer._private_key.private_bytes_raw()
    kid = key_id(name, signer.public_key_raw()).hex()
    secret = base64.b64encode(b"\x01" + seed).decode("ascii")
    return f"{SIGNER_KEY_PREFIX}{name}+{kid}+{secret}", verifier_key(name, signer.public_key_raw())


def witness_signer(text: str) -> Ed25519CheckpointSigner:
    """The signer held in a 'PRIVATE+KEY+name+keyid+base64' witness key; DomainError when it is not one."""
    parts = text.strip().removeprefix(SIGNER_KEY_PREFIX).split("+", 2)
    if not text.strip().startswith(SIGNER_KEY_PREFIX) or len(parts) != 3:
        raise DomainError("A witness key file holds one line 'PRIVATE+KEY+name+keyid+base64' "
                          "(make one with 'dutycare ledger witness-key').")
    name, kid, encoded = parts
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        blob = b""
    if len(blob) != 1 + PRIVATE_KEY_LEN or blob[:1] != b"\x01":
        raise DomainError(f"The witness key of {name!r} is not an Ed25519 signing key.")
    signer = Ed25519CheckpointSigner(name, Ed25519PrivateKey.from_private_bytes(blob[1:]))
    try:
        matches = key_id(name, signer.public_key_raw()).hex() == kid
    except CheckpointError as exc:
        raise DomainError(f"The witness key has an unusable name: {exc}") from None
    if not matches:
        raise DomainError(f"The witness key of {name!r} is damaged: its key ID does not match the key.")
    return signer
