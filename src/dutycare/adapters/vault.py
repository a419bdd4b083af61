"""The evidence vault: files attached to events, each encrypted with its own data key, outside the database.

Stored file format, version 1 (offsets in bytes)::

    0   3   magic b"DCV"
    3   1   format version (1)
    4   4   chunk size C (uint32, big-endian): plaintext bytes in every chunk but the last
    8   4   key id of the organisation key
    12  60  wrapped data key: nonce (12) + AES-256-GCM(wrap key, data key) (32) + tag (16)
    72  ..  chunks: AES-256-GCM(data key, chunk) + 16-byte tag; every chunk holds C plaintext bytes
            except the last, which holds 0..C (an empty file is one empty final chunk)

Chunk i uses the nonce i (96-bit big-endian; the data key is never reused) and authenticates
b"vault-chunk|" + record AAD + b"|" + i (uint64) + final flag (1 byte), so dropping, reordering or
appending chunks is detected. The record AAD names the file id and version. See docs/keys.md.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import shutil
import stat
import struct
from collections.abc import Generator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dutycare.adapters.crypto.envelope import (
    DEK_LEN,
    TAG_LEN,
    WRAPPED_DEK_LEN,
    record_aad,
    unwrap_dek,
    wrap_dek,
)
from dutycare.adapters.crypto.errors import (
    CorruptCiphertext,
    VaultBlobExists,
    VaultIntegrityError,
    VaultPathRefused,
)
from dutycare.adapters.crypto.keys import KEY_ID_LEN, OrgKey
from dutycare.service_layer.ports import EvidenceStore

MAGIC = b"DCV"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
RECORD_KIND = "evidence"
_FIXED = struct.Struct(">3sBI")
_CHUNK_SUFFIX = struct.Struct(">QB")
HEADER_LEN = _FIXED.size + KEY_ID_LEN + WRAPPED_DEK_LEN
_FILE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}"
_MAX_VERSION = 2**31 - 1
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class StoredBlob:
    """What the vault recorded about one stored file; the caller keeps this in the database."""

    file_id: str
    version: int
    sha256: str
    size: int
    stored_path: str


class EvidenceVault(EvidenceStore):
    """Encrypted, write-once storage for evidence files under one root folder."""

    def __init__(self, root: Path, org_key: OrgKey, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}")
        self._root = Path(root).resolve()
        self._org_key = org_key
        self._chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"EvidenceVault(root={str(self._root)!r})"

    # --- paths ------------------------------------------------------------------------------------

    def relative_path(self, file_id: str, version: int) -> str:
        """Where a file id and version is kept, relative to the vault folder (as evidence rows record it)."""
        return self.path_for(file_id, version).relative_to(self._root).as_posix()

    def path_for(self, file_id: str, version: int) -> Path:
        """The absolute storage path for a file id and version (internal; derived from the id only)."""
        _check_file_id(file_id)
        _check_version(version)
        digest = hashlib.sha256(file_id.encode("ascii")).hexdigest()
        target = self._root / digest[:2] / digest[2:4] / f"{digest}.v{version}.bin"
        self._refuse_symlinks(target)
        if not target.resolve().is_relative_to(self._root):
            raise VaultPathRefused(f"The vault path {target} leads outside the vault folder {self._root}.")
        return target

    def exists(self, file_id: str, version: int) -> bool:
        """True if a blob for this file id and version is stored."""
        return self.path_for(file_id, version).is_file()

    def discard(self, file_id: str, version: int) -> None:
        """Remove a blob stored by a write that did not commit (its record was never written); no other caller
        removes files, so an original, once recorded, is never replaced or lost."""
        target = self.path_for(file_id, version)
        target.unlink(missing_ok=True)

    def _refuse_symlinks(self, target: Path) -> None:
        current = self._root
        for part in target.relative_to(self._root).parts:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                return
            if stat.S_ISLNK(mode):
                raise VaultPathRefused(
                    f"The evidence vault refuses to use {current} because it is a symbolic link. Links "
                    "inside the vault could send evidence outside it; remove the link and try again."
                )

    def _make_dirs(self, target: Path) -> None:
        self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for directory in (target.parent.parent, target.parent):
            with suppress(FileExistsError):
                directory.mkdir(mode=0o700)
        self._refuse_symlinks(target)

    # --- writing ----------------------------------------------------------------------------------

    def put(self, file_id: str, version: int, source: BinaryIO | Path) -> StoredBlob:
        """Encrypt and store a file (streamed in chunks); never replaces an existing blob."""
        target = self.path_for(file_id, version)
        if os.path.lexists(target):
            raise _already_stored(file_id, version)
        self._make_dirs(target)
        aad = record_aad((RECORD_KIND, file_id, version))
        with _source_stream(source) as stream:
            tmp, digest, size = self._write_temp(target, stream, aad)
        _publish(tmp, target, file_id, version)
        stored_path = target.relative_to(self._root).as_posix()
        return StoredBlob(file_id=file_id, version=version, sha256=digest, size=size, stored_path=stored_path)

    def _write_temp(self, target: Path, stream: BinaryIO, aad: bytes) -> tuple[Path, str, int]:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                digest, size = _encrypt_stream(stream, out, self._org_key, aad, self._chunk_size)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, digest, size

    # --- reading ----------------------------------------------------------------------------------

    def open_blob(self, file_id: str, version: int) -> Iterator[bytes]:
        """Decrypt a stored file chunk by chunk; the last chunk's check runs when iteration ends."""
        return self._open_chunks(file_id, version)

    def _open_chunks(self, file_id: str, version: int) -> Generator[bytes, None, None]:
        target = self.path_for(file_id, version)
        what = f"evidence file {file_id} version {version}"
        aad = record_aad((RECORD_KIND, file_id, version))
        handle = _open_stored(target, what)
        try:
            cipher, chunk_size = _read_header(handle, self._org_key, aad, what)
        except BaseException:
            handle.close()
            raise
        return _decrypt_chunks(handle, cipher, aad, chunk_size, what)

    def read_to(self, file_id: str, version: int, out_path: Path, expected_sha256: str) -> int:
        """Decrypt a stored file to ``out_path`` after checking its SHA-256; returns its size."""
        expected = _normalise_sha256(expected_sha256)
        chunks = self._open_chunks(file_id, version)
        tmp = out_path.with_name(f".{out_path.name}.{secrets.token_hex(8)}.part")
        try:
            digest, size = _write_plain(chunks, tmp)
            if not hmac.compare_digest(digest, expected):
                raise VaultIntegrityError(
                    f"The evidence file {file_id} version {version} does not match the fingerprint "
                    "recorded when it was stored: it was altered or swapped. Nothing was written to "
                    f"{out_path}. Restore the vault from a backup and report possible tampering."
                )
            os.replace(tmp, out_path)
        finally:
            chunks.close()
            tmp.unlink(missing_ok=True)
        return size


    # --- key rotation -----------------------------------------------------------------------------

    def rewrap(self, file_id: str, version: int, new_key: OrgKey) -> bool:
        """Wrap a stored file's data key for ``new_key``, leaving its chunks as they are; False if it already is.

        The one case where a stored file is replaced: the new header and the same chunks go to a temporary file
        that atomically takes the old one's place, so a crash leaves the old or the new file, never a mixture.
        """
        target = self.path_for(file_id, version)
        what = f"evidence file {file_id} version {version}"
        aad = record_aad((RECORD_KIND, file_id, version))
        with _open_stored(target, what) as handle:
            header = _read_full(handle, HEADER_LEN)
            if header[_FIXED.size : _FIXED.size + KEY_ID_LEN] == new_key.key_id():
                return False
            dek, _ = _unwrap_header(header, self._org_key, aad, what)
            fixed = header[: _FIXED.size]
            _replace_with(target, fixed + new_key.key_id() + wrap_dek(new_key, dek, _dek_aad(aad, fixed)), handle)
        _fsync_dir(target.parent)
        return True


def _replace_with(target: Path, header: bytes, rest: BinaryIO) -> None:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(header)
            shutil.copyfileobj(rest, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


# --- helpers: write ---------------------------------------------------------------------------------


@contextmanager
def _source_stream(source: BinaryIO | Path) -> Iterator[BinaryIO]:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield handle
    else:
        yield source


def _encrypt_stream(
    stream: BinaryIO, out: BinaryIO, org_key: OrgKey, aad: bytes, chunk_size: int
) -> tuple[str, int]:
    dek = os.urandom(DEK_LEN)
    fixed = _FIXED.pack(MAGIC, FORMAT_VERSION, chunk_size)
    out.write(fixed + org_key.key_id() + wrap_dek(org_key, dek, _dek_aad(aad, fixed)))
    cipher = AESGCM(dek)
    hasher = hashlib.sha256()
    size = 0
    for counter, final, chunk in _chunks_with_final_flag(stream, chunk_size):
        hasher.update(chunk)
        size += len(chunk)
        out.write(cipher.encrypt(_nonce(counter), chunk, _chunk_aad(aad, counter, final)))
    return hasher.hexdigest(), size


def _chunks_with_final_flag(stream: BinaryIO, chunk_size: int) -> Iterator[tuple[int, bool, bytes]]:
    current = _read_full(stream, chunk_size)
    counter = 0
    while True:
        following = _read_full(stream, chunk_size) if len(current) == chunk_size else b""
        final = not following
        yield counter, final, current
        if final:
            return
        current, counter = following, counter + 1


def _read_full(stream: BinaryIO, size: int) -> bytes:
    first = stream.read(size)
    if not first or len(first) == size:
        return first or b""
    parts = [first]
    missing = size - len(first)
    while missing:
        more = stream.read(missing)
        if not more:
            break
        parts.append(more)
        missing -= len(more)
    return b"".join(parts)


def _publish(tmp: Path, target: Path, file_id: str, version: int) -> None:
    try:
        _link_without_overwrite(tmp, target, file_id, version)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(target.parent)


def _link_without_overwrite(tmp: Path, target: Path, file_id: str, version: int) -> None:
    try:
        os.link(tmp, target, follow_symlinks=False)
    except FileExistsError:
        raise _already_stored(file_id, version) from None
    except OSError:
        # The filesystem has no hard links: fall back to a checked rename.
        if os.path.lexists(target):
            raise _already_stored(file_id, version) from None
        os.replace(tmp, target)


def _fsync_dir(directory: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _already_stored(file_id: str, version: int) -> VaultBlobExists:
    return VaultBlobExists(
        f"Evidence file {file_id} version {version} is already stored. Stored originals are never "
        "replaced; store the changed file as a new version."
    )


# --- helpers: read ----------------------------------------------------------------------------------


def _open_stored(target: Path, what: str) -> BinaryIO:
    try:
        fd = os.open(target, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        raise VaultIntegrityError(
            f"The {what} is missing from the vault (expected at {target}). Restore the vault from a backup."
        ) from None
    return os.fdopen(fd, "rb")


def _read_header(handle: BinaryIO, org_key: OrgKey, aad: bytes, what: str) -> tuple[AESGCM, int]:
    dek, chunk_size = _unwrap_header(_read_full(handle, HEADER_LEN), org_key, aad, what)
    return AESGCM(dek), chunk_size


def _unwrap_header(header: bytes, org_key: OrgKey, aad: bytes, what: str) -> tuple[bytes, int]:
    if len(header) < HEADER_LEN:
        raise _damaged(what, "it is cut short")
    magic, version, chunk_size = _FIXED.unpack_from(header)
    if magic != MAGIC:
        raise _damaged(what, "it is not a dutycare vault file")
    if version != FORMAT_VERSION:
        raise _damaged(what, f"it uses vault format {version}, which this dutycare does not know")
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise _damaged(what, "its chunk size is impossible")
    key_id = header[_FIXED.size : _FIXED.size + KEY_ID_LEN]
    wrapped = header[_FIXED.size + KEY_ID_LEN :]
    try:
        dek = unwrap_dek(org_key, key_id, wrapped, _dek_aad(aad, header[: _FIXED.size]), what)
    except CorruptCiphertext as exc:
        raise VaultIntegrityError(exc.message) from None
    return dek, chunk_size


def _decrypt_chunks(
    handle: BinaryIO, cipher: AESGCM, aad: bytes, chunk_size: int, what: str
) -> Generator[bytes, None, None]:
    record_len = chunk_size + TAG_LEN
    with handle:
        current = _read_full(handle, record_len)
        counter = 0
        while True:
            following = _read_full(handle, record_len) if len(current) == record_len else b""
            final = not following
            yield _open_chunk(cipher, aad, counter, final, current, what)
            if final:
                return
            current, counter = following, counter + 1


def _open_chunk(cipher: AESGCM, aad: bytes, counter: int, final: bool, sealed: bytes, what: str) -> bytes:
    if len(sealed) < TAG_LEN:
        raise _damaged(what, "it is cut short")
    try:
        return cipher.decrypt(_nonce(counter), sealed, _chunk_aad(aad, counter, final))
    except InvalidTag:
        raise _damaged(what, f"part {counter + 1} fails its integrity check") from None


def _write_plain(chunks: Iterator[bytes], tmp: Path) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            hasher.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return hasher.hexdigest(), size


def _damaged(what: str, reason: str) -> VaultIntegrityError:
    return VaultIntegrityError(
        f"The {what} is damaged: {reason}. It may have been cut short, altered, or swapped. "
        "Do not trust it; restore the vault from a backup and report possible tampering."
    )


# --- helpers: format --------------------------------------------------------------------------------


def _dek_aad(aad: bytes, fixed_header: bytes) -> bytes:
    return b"vault-dek|" + aad + b"|" + fixed_header


def _chunk_aad(aad: bytes, counter: int, final: bool) -> bytes:
    return b"vault-chunk|" + aad + b"|" + _CHUNK_SUFFIX.pack(counter, 1 if final else 0)


def _nonce(counter: int) -> bytes:
    return counter.to_bytes(12, "big")


def _check_file_id(file_id: str) -> None:
    if not isinstance(file_id, str) or not re.fullmatch(_FILE_ID_PATTERN, file_id) or ".." in file_id:
        raise VaultPathRefused(
            f"The evidence file id {file_id!r} is not allowed. Ids are made by dutycare, never taken from "
            "file names: 1-128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter "
            "or digit and never containing '..'."
        )


def _check_version(version: int) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= _MAX_VERSION:
        raise ValueError(f"an evidence file version is an integer from 0 to {_MAX_VERSION}, not {version!r}")


def _normalise_sha256(value: str) -> str:
    lowered = value.lower()
    if len(lowered) != 64 or any(char not in "0123456789abcdef" for char in lowered):
        raise ValueError("expected_sha256 must be 64 hexadecimal characters")
    return lowered
