"""Errors raised by the key, encryption and evidence-vault code.

Every message is written for the person running dutycare, not for a programmer: it says what went
wrong and what to do next. The command line prints ``str(error)`` without a traceback.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class for every key, encryption and evidence-vault failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class KeyMissing(CryptoError):
    """The organisation key could not be found or read."""


class KeyFileExists(CryptoError):
    """A key file already exists where a new one was to be written."""


class WrongKey(CryptoError):
    """The key or passphrase offered is not the one the data was encrypted with."""


class CorruptCiphertext(CryptoError):
    """Encrypted data is damaged, truncated, or belongs to a different record."""


class VaultPathRefused(CryptoError):
    """The evidence vault refused a path (outside the vault, a symlink, or an unsafe id)."""


class VaultBlobExists(VaultPathRefused):
    """An evidence file with this id and version is already stored and will not be replaced."""


class VaultIntegrityError(CryptoError):
    """A stored evidence file is missing, damaged, or does not match its recorded fingerprint."""
