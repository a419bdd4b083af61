"""Recovery of a lost organisation key from k of n share phrases held by coordinators (SLIP-39).

The phrases do not hold the organisation key itself. They are SLIP-39 shares of a recovery secret key
(X25519); the database keeps a recovery record with the organisation key sealed to the matching public key
(libsodium sealed box) and that public key sealed under the organisation key. So a rotation can re-seal the new
organisation key for the same phrases without anyone typing them, and a database writer cannot swap in a public
key of their own: rotation only trusts a public key that opens under the current organisation key. See docs/keys.md.
"""

from __future__ import annotations

import base64
import binascii
from typing import TypedDict

import nacl.exceptions
import shamir_mnemonic  # type: ignore[import-untyped]
from nacl.public import PrivateKey, PublicKey, SealedBox

from dutycare.adapters.crypto.envelope import open_, seal
from dutycare.adapters.crypto.errors import CorruptCiphertext, CryptoError, WrongKey
from dutycare.adapters.crypto.keys import OrgKey

RECOVERY_FORMAT = "dutycare-recovery-v1"
MAX_SHARES = 16
_PUBLIC_KEY_AAD = ("recovery-public-key", RECOVERY_FORMAT, 1)


class RecoveryRecord(TypedDict):
    """What the database keeps for recovery; holds no secret."""

    format: str
    threshold: int
    shares: int
    public_key: str
    sealed_key: str


def split(org_key: OrgKey, shares: int, threshold: int) -> tuple[list[str], RecoveryRecord]:
    """New share phrases (``threshold`` of ``shares`` recover the key) and the record the database keeps."""
    if not 1 <= threshold <= shares <= MAX_SHARES or (threshold == 1 and shares > 1):
        raise CryptoError(f"Choose 1 <= threshold <= shares <= {MAX_SHARES}; a threshold of 1 allows only one share "
                          "(one printed recovery phrase), since one phrase alone would open the key.")
    secret = PrivateKey.generate()
    phrases = shamir_mnemonic.generate_mnemonics(1, [(threshold, shares)], bytes(secret))[0]
    return phrases, _record(org_key, secret.public_key, shares, threshold)


def _record(org_key: OrgKey, public: PublicKey, shares: int, threshold: int) -> RecoveryRecord:
    return RecoveryRecord(
        format=RECOVERY_FORMAT, threshold=threshold, shares=shares,
        public_key=_b64(seal(org_key, _PUBLIC_KEY_AAD, bytes(public))),
        sealed_key=_b64(SealedBox(public).encrypt(org_key.raw_bytes())),
    )


def reseal(record: RecoveryRecord, old_key: OrgKey, new_key: OrgKey) -> RecoveryRecord:
    """The record for a rotated organisation key; the same phrases keep working."""
    public = PublicKey(open_(old_key, _PUBLIC_KEY_AAD, _unb64(record["public_key"])))
    return _record(new_key, public, record["shares"], record["threshold"])


def shares_needed(phrase: str) -> int:
    """How many phrases the split that made this phrase needs."""
    try:
        return int(shamir_mnemonic.Share.from_mnemonic(_clean(phrase)).member_threshold)
    except shamir_mnemonic.MnemonicError as exc:
        raise CryptoError(f"This is not a dutycare recovery phrase: {exc}. Check every word.") from None


def recover(record: RecoveryRecord, phrases: list[str]) -> OrgKey:
    """The organisation key from enough share phrases; CryptoError naming what is wrong otherwise."""
    try:
        secret = shamir_mnemonic.combine_mnemonics([_clean(p) for p in phrases])
    except (shamir_mnemonic.MnemonicError, ValueError) as exc:
        raise CryptoError(f"The recovery phrases do not fit together: {exc}. Check every word, and that the "
                          "phrases come from the same split.") from None
    try:
        material = SealedBox(PrivateKey(secret)).decrypt(_unb64(record["sealed_key"]))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise WrongKey("These recovery phrases do not belong to this database, or to its latest split "
                       "('dutycare keys split' makes earlier phrases void). See docs/keys.md.") from None
    return OrgKey(material)


def _clean(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError):
        raise CorruptCiphertext("The stored recovery record is damaged. Restore the database from a backup, "
                                "or split the key again with 'dutycare keys split'.") from None
