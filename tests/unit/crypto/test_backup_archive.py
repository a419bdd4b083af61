"""The backup archive: key files, round trips, and refusal of every changed, cut, reordered or foreign byte."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from dutycare.adapters import backup_archive as ba
from dutycare.domain.errors import DomainError

CHUNK = 1024


@pytest.fixture(scope="module")
def identity() -> ba.BackupIdentity:
    return ba.BackupIdentity.generate()


def _write(path: Path, identity: ba.BackupIdentity, members: dict[str, bytes]) -> dict[str, ba.MemberDigest]:
    digests = {}
    with ba.ArchiveWriter(path, identity.recipient(), chunk_size=CHUNK) as writer:
        for name, data in members.items():
            source = path.with_name(name.replace("/", "_"))
            source.write_bytes(data)
            digests[name] = writer.add_file(name, source)
    return digests


def _read(path: Path, identity: ba.BackupIdentity, tmp_path: Path) -> dict[str, ba.MemberDigest]:
    staging = tmp_path / f"staging-{os.urandom(4).hex()}"
    return ba.read_archive(path, identity, staging)


def test_key_files_round_trip_and_the_private_one_is_private(tmp_path: Path, identity: ba.BackupIdentity) -> None:
    ba.write_identity(tmp_path / "id", identity)
    ba.write_recipient(tmp_path / "id.pub", identity.recipient())
    assert stat.S_IMODE((tmp_path / "id").stat().st_mode) == 0o600
    assert ba.load_identity(tmp_path / "id") == identity
    assert ba.load_recipient(tmp_path / "id.pub") == identity.recipient()
    with pytest.raises(DomainError, match="never overwrites"):
        ba.write_identity(tmp_path / "id", ba.BackupIdentity.generate())
    with pytest.raises(DomainError, match="is not a public backup key"):
        ba.load_recipient(tmp_path / "id")  # the private key given where the public one belongs
    with pytest.raises(DomainError, match="does not exist"):
        ba.load_identity(tmp_path / "nothing")


def test_round_trip_of_empty_small_and_multi_part_members(tmp_path: Path, identity: ba.BackupIdentity) -> None:
    members = {"a/empty.bin": b"", "a/small.txt": "Раненый боец".encode(), "b/big.bin": os.urandom(CHUNK * 7 + 3)}
    written = _write(tmp_path / "x.dcb", identity, members)
    staging = tmp_path / "staging"
    assert ba.read_archive(tmp_path / "x.dcb", identity, staging) == written
    for name, data in members.items():
        assert (staging / name).read_bytes() == data


def test_an_unfinished_writer_leaves_no_file(tmp_path: Path, identity: ba.BackupIdentity) -> None:
    with pytest.raises(RuntimeError), ba.ArchiveWriter(tmp_path / "x.dcb", identity.recipient()) as writer:
        writer.add_bytes("manifest.json", b"{}")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_every_sampled_changed_byte_is_refused(tmp_path: Path, identity: ba.BackupIdentity) -> None:
    _write(tmp_path / "x.dcb", identity, {"m/data.bin": os.urandom(CHUNK * 5)})
    data = (tmp_path / "x.dcb").read_bytes()
    positions = sorted({*range(0, ba.HEADER_LEN + 24), *range(0, len(data), 37), len(data) - 1})
    for at in positions:
        changed = bytearray(data)
        changed[at] ^= 0x40
        (tmp_path / "bad.dcb").write_bytes(bytes(changed))
        with pytest.raises(ba.BackupRefused):
            _read(tmp_path / "bad.dcb", identity, tmp_path)


def test_cut_reordered_or_extended_backups_are_refused(tmp_path: Path, identity: ba.BackupIdentity) -> None:
    _write(tmp_path / "x.dcb", identity, {"m/data.bin": os.urandom(CHUNK * 20)})
    data = (tmp_path / "x.dcb").read_bytes()
    start, part = ba.HEADER_LEN + ba.STREAM_HEADER_LEN, CHUNK + ba.ABYTES
    first, second = data[start:start + part], data[start + part:start + 2 * part]
    variants = {
        "cut on a part boundary": data[:start + 4 * part],
        "cut inside a part": data[:start + 4 * part + 100],
        "header only": data[:start],
        "two parts swapped": data[:start] + second + first + data[start + 2 * part:],
        "a part dropped": data[:start] + second + data[start + 2 * part:],
        "data appended": data + b"\0",
        "empty": b"",
    }
    for what, variant in variants.items():
        (tmp_path / "bad.dcb").write_bytes(variant)
        with pytest.raises(ba.BackupRefused):
            _read(tmp_path / "bad.dcb", identity, tmp_path)
            pytest.fail(f"{what} was accepted")


def test_another_identity_is_named_as_the_problem(tmp_path: Path, identity: ba.BackupIdentity) -> None:
    _write(tmp_path / "x.dcb", identity, {"m/data.bin": b"x"})
    with pytest.raises(ba.BackupRefused, match="encrypted to another backup key"):
        _read(tmp_path / "x.dcb", ba.BackupIdentity.generate(), tmp_path)


def _raw_archive(path: Path, identity: ba.BackupIdentity, info: tarfile.TarInfo, data: bytes = b"") -> None:
    with open(path, "wb") as out:
        stream = ba._EncryptingStream(out, identity.recipient(), CHUNK)
        with tarfile.open(fileobj=stream, mode="w|") as tar:  # type: ignore[call-overload]
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
        stream.finish()


@pytest.mark.parametrize("name,kind", [("../escape.txt", tarfile.REGTYPE), ("/etc/passwd", tarfile.REGTYPE),
                                       ("vault/link", tarfile.SYMTYPE), ("vault/.hidden", tarfile.REGTYPE)])
def test_members_dutycare_never_writes_are_refused(tmp_path: Path, identity: ba.BackupIdentity, name: str,
                                                   kind: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, 0
    if kind == tarfile.SYMTYPE:
        info.linkname = "/etc/passwd"
    _raw_archive(tmp_path / "evil.dcb", identity, info)
    staging = tmp_path / "staging"
    with pytest.raises(ba.BackupRefused, match="does not write"):
        ba.read_archive(tmp_path / "evil.dcb", identity, staging)
    assert not (tmp_path / "escape.txt").exists() and not staging.exists()
