"""Backup archives: a tar stream encrypted to a backup recipient key, written and read with bounded memory.

Encrypted file format, version 1 (offsets in bytes)::

    0    8   magic b"DCBACKUP"
    8    1   format version (1)
    9    4   chunk size C (uint32, big-endian): plaintext bytes in every part but the last
    13   8   recipient fingerprint: the first 8 bytes of SHA-256 of the recipient's X25519 public key
    21   80  the 32-byte archive key sealed to the recipient (libsodium sealed box)
    101  24  libsodium secretstream (XChaCha20-Poly1305) header
    125  ..  parts: each C + 17 bytes except the last, which carries the FINAL tag

Every part authenticates the first 101 bytes as additional data, so the chunk size, fingerprint and
sealed key cannot be changed. The secretstream numbers parts itself: dropped, reordered or appended
parts, and a stream cut short before its FINAL part, are refused. The plaintext is a POSIX tar stream.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import struct
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, BinaryIO

from nacl import bindings as sodium
from nacl.exceptions import CryptoError as NaclCryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from dutycare.domain.errors import DomainError
from dutycare.service_layer.ports import ArchiveSink
from dutycare.service_layer.snapshots import MemberDigest

MAGIC = b"DCBACKUP"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
_FIXED = struct.Struct(">8sBI8s")
SEALED_KEY_LEN = 80
HEADER_LEN = _FIXED.size + SEALED_KEY_LEN
STREAM_HEADER_LEN = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
IDENTITY_HEADER = "dutycare-backup-identity-v1"
RECIPIENT_HEADER = "dutycare-backup-recipient-v1"
COPY_BUFFER = 1024 * 1024
# Member names are made by dutycare; anything else in an archive is refused rather than written.
_MEMBER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}(/[A-Za-z0-9][A-Za-z0-9._-]{0,199}){0,7}")


class BackupRefused(DomainError):
    """A backup file that cannot be trusted or read: damaged, cut short, tampered or for another key."""


@dataclass(frozen=True)
class BackupRecipient:
    """The public half of a backup key: what `backup` encrypts to."""

    public_key: bytes

    def fingerprint(self) -> bytes:
        """Eight bytes naming the key in a backup's header (they reveal nothing about the private key)."""
        return hashlib.sha256(self.public_key).digest()[:8]


@dataclass(frozen=True)
class BackupIdentity:
    """The private half of a backup key: what `restore` decrypts with."""

    private_key: bytes

    def recipient(self) -> BackupRecipient:
        """The public key belonging to this identity."""
        return BackupRecipient(bytes(PrivateKey(self.private_key).public_key))

    @classmethod
    def generate(cls) -> BackupIdentity:
        """A fresh X25519 key pair from the operating system's random generator."""
        return cls(bytes(PrivateKey.generate()))


def valid_member_name(name: str) -> bool:
    """True for a relative, slash-separated name without '..', hidden parts or odd characters."""
    return bool(_MEMBER_NAME.fullmatch(name)) and ".." not in name


# --- key files ----------------------------------------------------------------------------------------


def write_identity(path: Path, identity: BackupIdentity) -> None:
    """Write a private backup key file (mode 0600); never overwrites an existing file."""
    _write_new(path, f"{IDENTITY_HEADER}\n{base64.b64encode(identity.private_key).decode('ascii')}\n", 0o600)


def write_recipient(path: Path, recipient: BackupRecipient) -> None:
    """Write a public backup key file; never overwrites an existing file."""
    _write_new(path, f"{RECIPIENT_HEADER}\n{base64.b64encode(recipient.public_key).decode('ascii')}\n", 0o644)


def _write_new(path: Path, text: str, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise DomainError(f"{path} already exists; dutycare never overwrites a key file. Choose another name.") \
            from None
    except OSError as exc:
        raise DomainError(f"{path} cannot be written: {exc.strerror}.") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def load_recipient(path: Path) -> BackupRecipient:
    """Read a public backup key file (refusing a private one by mistake, with a clear message)."""
    return BackupRecipient(_read_key(path, RECIPIENT_HEADER, "public backup key (made by 'dutycare backup keygen')"))


def load_identity(path: Path) -> BackupIdentity:
    """Read a private backup key file."""
    return BackupIdentity(_read_key(path, IDENTITY_HEADER, "private backup key (made by 'dutycare backup keygen')"))


def _read_key(path: Path, header: str, what: str) -> bytes:
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        raise DomainError(f"The {what} file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError):
        raise DomainError(f"{path} is not a readable {what} file.") from None
    try:
        raw = base64.b64decode(lines[1], validate=True) if len(lines) == 2 and lines[0] == header else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise DomainError(f"{path} is not a {what} file.")
    return raw


# --- writing --------------------------------------------------------------------------------------------


class _EncryptingStream:
    """A write-only file object that encrypts what it is given into secretstream parts."""

    def __init__(self, out: BinaryIO, recipient: BackupRecipient, chunk_size: int) -> None:
        key = sodium.crypto_secretstream_xchacha20poly1305_keygen()
        self._header = _FIXED.pack(MAGIC, FORMAT_VERSION, chunk_size, recipient.fingerprint())
        self._header += SealedBox(PublicKey(recipient.public_key)).encrypt(key)
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        stream_header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._out = out
        self._out.write(self._header + stream_header)
        self._chunk_size = chunk_size
        self._pending: list[bytes] = []
        self._pending_len = 0

    def write(self, data: bytes) -> int:
        self._pending.append(bytes(data))
        self._pending_len += len(data)
        if self._pending_len > self._chunk_size:
            joined, pos = b"".join(self._pending), 0
            while len(joined) - pos > self._chunk_size:  # keep the tail: the FINAL part must carry something
                self._push(joined[pos:pos + self._chunk_size], TAG_MESSAGE)
                pos += self._chunk_size
            self._pending, self._pending_len = [joined[pos:]], len(joined) - pos
        return len(data)

    def finish(self) -> None:
        """Write the last part, tagged FINAL (a stream without it reads as cut short)."""
        self._push(b"".join(self._pending), TAG_FINAL)
        self._pending, self._pending_len = [], 0

    def _push(self, chunk: bytes, tag: int) -> None:
        self._out.write(sodium.crypto_secretstream_xchacha20poly1305_push(self._state, chunk, self._header, tag))


class ArchiveWriter(ArchiveSink):
    """Writes an encrypted backup to a temporary file and moves it into place only when complete."""

    def __init__(self, out_path: Path, recipient: BackupRecipient, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if out_path.exists():
            raise DomainError(f"{out_path} already exists; choose a new file name for the backup.")
        self._out_path = out_path
        self._tmp = out_path.with_name(f".{out_path.name}.{secrets.token_hex(8)}.part")
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._stream = _EncryptingStream(self._file, recipient, chunk_size)
        # closed in _finish, once every member is in
        self._tar = tarfile.open(  # type: ignore[call-overload]  # noqa: SIM115
            fileobj=self._stream, mode="w|", format=tarfile.PAX_FORMAT, bufsize=COPY_BUFFER, copybufsize=COPY_BUFFER)
        self._names: set[str] = set()

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self._finish()
        else:
            self._abandon()

    def add_file(self, name: str, path: Path) -> MemberDigest:
        """Stream one file into the archive under ``name``; returns the SHA-256 of what was stored."""
        with open(path, "rb") as source:
            size = os.fstat(source.fileno()).st_size
            hashing = _HashingReader(source)
            self._tar.addfile(self._member(name, size), hashing)
        if hashing.size != size:
            raise DomainError(f"{path} changed size while it was being backed up; run the backup again.")
        return MemberDigest(hashing.digest.hexdigest(), size)

    def add_bytes(self, name: str, data: bytes) -> MemberDigest:
        """Add a small member held in memory (the manifest)."""
        reader = _HashingReader(_BytesReader(data))
        self._tar.addfile(self._member(name, len(data)), reader)
        return MemberDigest(reader.digest.hexdigest(), len(data))

    def _member(self, name: str, size: int) -> tarfile.TarInfo:
        if not valid_member_name(name) or name in self._names:
            raise ValueError(f"bad or repeated archive member name {name!r}")
        self._names.add(name)
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, 0
        return info

    def _finish(self) -> None:
        self._tar.close()
        self._stream.finish()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self._out_path)

    def _abandon(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._pos = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        chunk, self._pos = self._data[self._pos:end], min(end, len(self._data))
        return chunk


class _HashingReader:
    """Passes reads through while hashing them, so a member is read once."""

    def __init__(self, source: BinaryIO | _BytesReader) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


# --- reading --------------------------------------------------------------------------------------------


class _DecryptingStream:
    """A read-only file object giving the authenticated plaintext of a backup, part by part."""

    def __init__(self, source: BinaryIO, identity: BackupIdentity, what: str) -> None:
        self._source, self._what = source, what
        header = _read_exact(source, HEADER_LEN)
        if len(header) < _FIXED.size or header[:8] != MAGIC:
            raise BackupRefused(f"{what} is not a dutycare backup.")
        _, version, chunk_size, fingerprint = _FIXED.unpack_from(header)
        if version != FORMAT_VERSION:
            raise BackupRefused(f"{what} uses backup format {version}, which this dutycare does not know.")
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE or len(header) < HEADER_LEN:
            raise self._damaged("its header is damaged or cut short")
        self._check_recipient(identity, fingerprint)
        key = self._open_key(identity, header[_FIXED.size:])
        stream_header = _read_exact(source, STREAM_HEADER_LEN)
        if len(stream_header) != STREAM_HEADER_LEN:
            raise self._damaged("it is cut short")
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(self._state, stream_header, key)
        self._ad, self._part_len = header, chunk_size + ABYTES
        self._buffer, self._pos, self._parts, self.finished = b"", 0, 0, False

    def _check_recipient(self, identity: BackupIdentity, fingerprint: bytes) -> None:
        mine = identity.recipient().fingerprint()
        if fingerprint != mine:
            raise BackupRefused(
                f"{self._what} was encrypted to another backup key (fingerprint {fingerprint.hex()}); the identity "
                f"file you gave belongs to the key {mine.hex()}. Use the private key that matches the public key "
                "the backup was made with.")

    def _open_key(self, identity: BackupIdentity, sealed: bytes) -> bytes:
        try:
            key = SealedBox(PrivateKey(identity.private_key)).decrypt(sealed)
        except NaclCryptoError:
            raise self._damaged("its key block fails its integrity check") from None
        if len(key) != sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES:
            raise self._damaged("its key block is malformed")
        return bytes(key)

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) - self._pos < size) and not self.finished:
            self._buffer, self._pos = self._buffer[self._pos:] + self._next_part(), 0
        end = len(self._buffer) if size < 0 else self._pos + size
        data = self._buffer[self._pos:end]
        self._pos += len(data)
        return data

    def _next_part(self) -> bytes:
        sealed = _read_exact(self._source, self._part_len)
        if not sealed:
            raise self._damaged("it is cut short: it ends before its final part")
        try:
            plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(self._state, sealed, self._ad)
        except NaclCryptoError:
            short = " (it may have been cut short)" if len(sealed) < self._part_len else ""
            raise self._damaged(f"part {self._parts + 1} fails its integrity check{short}") from None
        self._parts += 1
        if tag == TAG_FINAL:
            self.finished = True
            if self._source.read(1):
                raise self._damaged("it has data after its final part")
        elif len(sealed) < self._part_len:
            raise self._damaged("it is cut short: it ends before its final part")
        return bytes(plain)

    def drain(self) -> None:
        """Read to the authenticated end, so a cut or a changed byte after the last member is still found."""
        rest = self._buffer[self._pos:]
        while True:
            if rest.strip(b"\0"):
                raise self._damaged("it holds unexpected data after its last member")
            if self.finished:
                return
            rest = self._next_part()

    def _damaged(self, reason: str) -> BackupRefused:
        return BackupRefused(f"{self._what} is damaged or was tampered with: {reason}. Nothing was restored.")


def _read_exact(source: BinaryIO, size: int) -> bytes:
    parts, missing = [], size
    while missing:
        data = source.read(missing)
        if not data:
            break
        parts.append(data)
        missing -= len(data)
    return b"".join(parts)


def read_archive(path: Path, identity: BackupIdentity, staging: Path) -> dict[str, MemberDigest]:
    """Decrypt a backup into ``staging`` (one file per member) and return what each member hashed to.

    Every byte is authenticated before the function returns; a failure raises BackupRefused and may
    leave partial files in ``staging``, which the caller owns and removes.
    """
    what = f"The backup {path}"
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below, after the stream is drained
    except FileNotFoundError:
        raise BackupRefused(f"There is no backup file at {path}.") from None
    with source:
        stream = _DecryptingStream(source, identity, what)
        digests = _untar(stream, staging, what)
        stream.drain()
    return digests


def _untar(stream: _DecryptingStream, staging: Path, what: str) -> dict[str, MemberDigest]:
    digests: dict[str, MemberDigest] = {}
    try:
        with tarfile.open(fileobj=stream, mode="r|", bufsize=COPY_BUFFER, copybufsize=COPY_BUFFER) as tar:  # type: ignore[call-overload]
            for member in tar:
                _check_member(member, digests, what)
                digests[member.name] = _stage(tar, member, staging / member.name)
    except tarfile.TarError as exc:
        raise BackupRefused(f"{what} is not a readable archive inside its encryption ({exc}).") from None
    return digests


def _check_member(member: tarfile.TarInfo, seen: dict[str, MemberDigest], what: str) -> None:
    if not member.isfile() or not valid_member_name(member.name):
        raise BackupRefused(f"{what} holds an entry dutycare does not write ({member.name!r}); it was refused.")
    if member.name in seen:
        raise BackupRefused(f"{what} holds {member.name} twice; it was refused.")


def _stage(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> MemberDigest:
    source = tar.extractfile(member)
    assert source is not None  # a regular file always has content
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.sha256(), 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in _chunks(source):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return MemberDigest(digest.hexdigest(), size)


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(COPY_BUFFER):
        yield chunk
