"""Evidence vault: chunked encryption on disk, integrity, path safety, write-once storage."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from dutycare.adapters.crypto.errors import (
    VaultBlobExists,
    VaultIntegrityError,
    VaultPathRefused,
    WrongKey,
)
from dutycare.adapters.crypto.keys import OrgKey
from dutycare.adapters.vault import HEADER_LEN, EvidenceVault

CHUNK = 64
TAG = 16
PHRASES = ("Раненому бойцу отказали в эвакуации", "Wounded soldier refused evacuation")


@pytest.fixture
def key() -> OrgKey:
    return OrgKey.generate()


@pytest.fixture
def vault(tmp_path: Path, key: OrgKey) -> EvidenceVault:
    return EvidenceVault(tmp_path / "vault", key, chunk_size=CHUNK)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_all(vault: EvidenceVault, file_id: str, version: int = 1) -> bytes:
    return b"".join(vault.open_blob(file_id, version))


class _GeneratedStream(io.RawIOBase):
    """A readable stream producing ``total`` bytes on demand, never holding them all."""

    def __init__(self, total: int, block: int = 1 << 16) -> None:
        self._remaining = total
        self._block = bytes(range(256)) * (block // 256)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), len(self._block), self._remaining)
        buffer[:count] = self._block[:count]
        self._remaining -= count
        return count


def _expected_generated_sha(total: int, block: int = 1 << 16) -> str:
    pattern = bytes(range(256)) * (block // 256)
    hasher = hashlib.sha256()
    for _ in range(total // block):
        hasher.update(pattern)
    hasher.update(pattern[: total % block])
    return hasher.hexdigest()


# --- round trips ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_round_trip_at_chunk_boundaries(vault: EvidenceVault, size: int) -> None:
    data = os.urandom(size)
    stored = vault.put("file-1", 1, io.BytesIO(data))
    assert (stored.file_id, stored.version, stored.size, stored.sha256) == ("file-1", 1, size, _sha(data))
    assert _read_all(vault, "file-1") == data


def test_stored_path_layout_and_permissions(tmp_path: Path, vault: EvidenceVault) -> None:
    stored = vault.put("ev-12-photo", 2, io.BytesIO(b"data"))
    digest = _sha(b"ev-12-photo")
    assert stored.stored_path == f"{digest[:2]}/{digest[2:4]}/{digest}.v2.bin"
    on_disk = tmp_path / "vault" / stored.stored_path
    assert on_disk == vault.path_for("ev-12-photo", 2)
    assert stat.S_IMODE(on_disk.stat().st_mode) == 0o600
    assert vault.exists("ev-12-photo", 2)
    assert not vault.exists("ev-12-photo", 3)
    leftovers = [p.name for p in on_disk.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_put_from_a_path(tmp_path: Path, vault: EvidenceVault) -> None:
    source = tmp_path / "scan.pdf"
    source.write_bytes(b"%PDF pretend" * 100)
    stored = vault.put("scan-1", 1, source)
    assert stored.sha256 == _sha(source.read_bytes())
    assert _read_all(vault, "scan-1") == source.read_bytes()


def test_short_reads_from_source_are_handled(vault: EvidenceVault) -> None:
    data = os.urandom(5 * CHUNK + 3)
    stream = io.BufferedReader(_TrickleStream(data), buffer_size=7)
    assert vault.put("trickle", 1, stream).sha256 == _sha(data)
    assert _read_all(vault, "trickle") == data


class _TrickleStream(io.RawIOBase):
    """A stream returning at most 7 bytes per read, like a slow pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), 7, len(self._data))
        buffer[:count] = self._data[:count]
        self._data = self._data[count:]
        return count


def test_plaintext_phrases_are_not_on_disk(tmp_path: Path, vault: EvidenceVault) -> None:
    text = ("\n".join(PHRASES) * 20).encode()
    stored = vault.put("statement", 1, io.BytesIO(text))
    raw = (tmp_path / "vault" / stored.stored_path).read_bytes()
    for phrase in PHRASES:
        assert phrase.encode() not in raw
        assert phrase.encode()[:24] not in raw
    assert b"statement" not in raw


# --- read_to ----------------------------------------------------------------------------------------


def test_read_to_writes_verified_output(tmp_path: Path, vault: EvidenceVault) -> None:
    data = os.urandom(4 * CHUNK)
    stored = vault.put("f", 1, io.BytesIO(data))
    out = tmp_path / "out.bin"
    assert vault.read_to("f", 1, out, stored.sha256.upper()) == len(data)
    assert out.read_bytes() == data


def test_read_to_with_wrong_fingerprint_leaves_no_output(tmp_path: Path, vault: EvidenceVault) -> None:
    vault.put("f", 1, io.BytesIO(b"original"))
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    with pytest.raises(VaultIntegrityError, match="fingerprint"):
        vault.read_to("f", 1, out_dir / "out.bin", _sha(b"something else"))
    assert list(out_dir.iterdir()) == []


def test_read_to_of_damaged_blob_leaves_no_output(tmp_path: Path, vault: EvidenceVault) -> None:
    stored = vault.put("f", 1, io.BytesIO(os.urandom(5 * CHUNK)))
    path = tmp_path / "vault" / stored.stored_path
    path.write_bytes(path.read_bytes()[:-40])
    out_dir = tmp_path / "export"
    out_dir.mkdir()
    with pytest.raises(VaultIntegrityError):
        vault.read_to("f", 1, out_dir / "out.bin", stored.sha256)
    assert list(out_dir.iterdir()) == []


# --- tampering --------------------------------------------------------------------------------------


def _stored_bytes(tmp_path: Path, vault: EvidenceVault, size: int = 3 * CHUNK + 10) -> tuple[Path, bytes]:
    stored = vault.put("f", 1, io.BytesIO(os.urandom(size)))
    path = tmp_path / "vault" / stored.stored_path
    path.chmod(0o600)
    return path, path.read_bytes()


def test_wrong_key_is_reported(tmp_path: Path, vault: EvidenceVault) -> None:
    vault.put("f", 1, io.BytesIO(b"data"))
    other = EvidenceVault(tmp_path / "vault", OrgKey.generate(), chunk_size=CHUNK)
    with pytest.raises(WrongKey):
        other.open_blob("f", 1)


def test_truncation_at_every_length_is_detected(tmp_path: Path, vault: EvidenceVault) -> None:
    path, raw = _stored_bytes(tmp_path, vault)
    for length in range(len(raw)):
        path.write_bytes(raw[:length])
        with pytest.raises(VaultIntegrityError):
            _read_all(vault, "f")


def test_every_byte_flip_is_detected(tmp_path: Path, vault: EvidenceVault) -> None:
    path, raw = _stored_bytes(tmp_path, vault, size=CHUNK + 3)
    for position in range(len(raw)):
        damaged = bytearray(raw)
        damaged[position] ^= 0x04
        path.write_bytes(bytes(damaged))
        with pytest.raises(VaultIntegrityError):
            _read_all(vault, "f")


def test_reordered_and_appended_chunks_are_detected(tmp_path: Path, vault: EvidenceVault) -> None:
    path, raw = _stored_bytes(tmp_path, vault, size=3 * CHUNK)
    body = raw[HEADER_LEN:]
    record = CHUNK + TAG
    chunks = [body[i : i + record] for i in range(0, len(body), record)]
    assert len(chunks) == 3
    for layout in ([chunks[1], chunks[0], chunks[2]], [*chunks, chunks[2]], [chunks[0], chunks[2]]):
        path.write_bytes(raw[:HEADER_LEN] + b"".join(layout))
        with pytest.raises(VaultIntegrityError):
            _read_all(vault, "f")
    path.write_bytes(raw + b"\x00")
    with pytest.raises(VaultIntegrityError):
        _read_all(vault, "f")


def test_blob_copied_to_another_id_or_version_is_refused(vault: EvidenceVault) -> None:
    vault.put("a", 1, io.BytesIO(b"evidence A"))
    for file_id, version in (("b", 1), ("a", 2)):
        target = vault.path_for(file_id, version)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(vault.path_for("a", 1), target)
        with pytest.raises(VaultIntegrityError):
            _read_all(vault, file_id, version)


def test_missing_blob_is_an_integrity_error(vault: EvidenceVault) -> None:
    with pytest.raises(VaultIntegrityError, match="missing"):
        vault.open_blob("never-stored", 1)


# --- path safety and write-once ---------------------------------------------------------------------


@pytest.mark.parametrize("file_id", ["../etc/passwd", "..", "a/b", "a\\b", "", ".hidden", "x..y", "a|b", "я"])
def test_unsafe_file_ids_are_refused(vault: EvidenceVault, file_id: str) -> None:
    with pytest.raises(VaultPathRefused):
        vault.put(file_id, 1, io.BytesIO(b"x"))
    with pytest.raises(VaultPathRefused):
        vault.path_for(file_id, 1)


def test_symlinked_folder_inside_root_is_refused(tmp_path: Path, vault: EvidenceVault) -> None:
    target = vault.path_for("f", 1)
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "vault"
    root.mkdir()
    (root / target.parent.parent.name).symlink_to(outside, target_is_directory=True)
    with pytest.raises(VaultPathRefused, match="symbolic link"):
        vault.put("f", 1, io.BytesIO(b"secret"))
    with pytest.raises(VaultPathRefused):
        vault.open_blob("f", 1)
    assert list(outside.rglob("*")) == []


def test_symlinked_blob_file_is_refused(tmp_path: Path, vault: EvidenceVault) -> None:
    vault.put("real", 1, io.BytesIO(b"x"))
    target = vault.path_for("f", 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"not evidence")
    target.symlink_to(outside)
    with pytest.raises(VaultPathRefused):
        vault.open_blob("f", 1)
    with pytest.raises(VaultPathRefused):
        vault.put("f", 1, io.BytesIO(b"x"))
    with pytest.raises(VaultPathRefused):
        vault.exists("f", 1)
    assert outside.read_bytes() == b"not evidence"


def test_root_itself_may_be_a_symlink(tmp_path: Path, key: OrgKey) -> None:
    real = tmp_path / "real-root"
    real.mkdir()
    link = tmp_path / "link-root"
    link.symlink_to(real, target_is_directory=True)
    vault = EvidenceVault(link, key)
    vault.put("f", 1, io.BytesIO(b"data"))
    assert b"".join(vault.open_blob("f", 1)) == b"data"


def test_existing_blob_is_never_overwritten(vault: EvidenceVault) -> None:
    first = vault.put("f", 1, io.BytesIO(b"original"))
    before = vault.path_for("f", 1).read_bytes()
    with pytest.raises(VaultBlobExists, match="never"):
        vault.put("f", 1, io.BytesIO(b"replacement"))
    assert vault.path_for("f", 1).read_bytes() == before
    assert _read_all(vault, "f") == b"original"
    second = vault.put("f", 2, io.BytesIO(b"replacement"))
    assert second.stored_path != first.stored_path


def test_failed_put_leaves_nothing_behind(vault: EvidenceVault) -> None:
    class Exploding(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            raise OSError("device removed")

    with pytest.raises(OSError, match="device removed"):
        vault.put("f", 1, io.BufferedReader(Exploding()))
    assert not vault.exists("f", 1)
    assert list(vault.path_for("f", 1).parent.iterdir()) == []


# --- large files ------------------------------------------------------------------------------------


def _drain(chunks: Iterator[bytes]) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    for chunk in chunks:
        hasher.update(chunk)
        size += len(chunk)
    return hasher.hexdigest(), size


def test_large_file_is_streamed_with_bounded_memory(tmp_path: Path, key: OrgKey) -> None:
    total = 50 * 1024 * 1024
    vault = EvidenceVault(tmp_path / "vault", key)
    tracemalloc.start()
    try:
        stored = vault.put("video", 1, io.BufferedReader(_GeneratedStream(total)))
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest, size = _drain(vault.open_blob("video", 1))
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == size == total
    assert stored.sha256 == digest == _expected_generated_sha(total)
    assert put_peak < 8 * 1024 * 1024
    assert read_peak < 8 * 1024 * 1024
