"""Proof bundles: build one, check it with tools/verify_bundle.py as a separate process, then tamper."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from ledger_helpers import ORIGIN, Ed25519Signer, make_checkpoints, make_entries

from dutycare.ledger import BundleError, build_bundle, key_fingerprint

REPO = Path(__file__).resolve().parents[3]
TOOL = REPO / "tools" / "verify_bundle.py"
SIGNER = Ed25519Signer()

# Runs the tool with every dutycare import made impossible, to prove it stands alone.
ISOLATED = """
import runpy, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "dutycare" or name.startswith("dutycare."):
            raise ImportError("dutycare must not be imported by the verifier")
sys.meta_path.insert(0, Block())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def make_bundle(folder: Path, size: int = 60, sizes: tuple[int, ...] = (20, 45, 58)) -> dict[str, bytes]:
    """Write a bundle for a synthetic log into ``folder`` and return its files."""
    entries = make_entries(size)
    notes = make_checkpoints(entries, list(sizes), SIGNER)
    files = build_bundle(entries, notes[::-1], SIGNER.public_key_raw(), SIGNER.key_name, [0, 7, 57])
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return files


def verify(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run the standalone verifier on ``folder``."""
    command = [sys.executable, "-c", ISOLATED, str(TOOL), str(folder), *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_bundle_files_and_contents(tmp_path: Path) -> None:
    files = make_bundle(tmp_path)
    assert set(files) == {"entries.jsonl", "checkpoints.txt", "public_key.txt", "proofs.json", "README.txt"}
    lines = files["entries.jsonl"].decode().splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 60 and first["seq"] == 0
    assert json.loads(base64.b64decode(first["entry_b64"])) == first["entry"]
    proofs = json.loads(files["proofs.json"])
    assert [item["seq"] for item in proofs["inclusion"]] == [0, 7, 57]
    assert [(c["old_size"], c["new_size"]) for c in proofs["consistency"]] == [(20, 45), (45, 58)]
    assert proofs["latest_checkpoint"]["size"] == 58
    text = files["checkpoints.txt"].decode()
    assert text.index("\n20\n") < text.index("\n45\n") < text.index("\n58\n")  # sorted smallest first
    assert key_fingerprint(SIGNER.public_key_raw()) in files["public_key.txt"].decode()
    assert b"pip install cryptography" in files["README.txt"]


def test_verifier_accepts_a_good_bundle_without_dutycare(tmp_path: Path) -> None:
    make_bundle(tmp_path)
    result = verify(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED" in result.stdout.splitlines()[-1]
    assert "2 newest entries are not yet covered" in result.stdout


def test_fingerprint_pinning(tmp_path: Path) -> None:
    make_bundle(tmp_path)
    assert verify(tmp_path, "--fingerprint", key_fingerprint(SIGNER.public_key_raw())).returncode == 0
    result = verify(tmp_path, "--fingerprint", "00" * 32)
    assert result.returncode == 1 and "fingerprint" in result.stdout


def edit_entry(files: dict[str, bytes]) -> None:
    """Change one entry consistently (bytes and readable copy): only the signed roots can tell."""
    lines = files["entries.jsonl"].decode().splitlines()
    record = json.loads(lines[30])
    record["entry"]["actor"] = "someone-else"
    data = json.dumps(record["entry"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    record["entry_b64"] = base64.b64encode(data).decode()
    lines[30] = json.dumps(record, ensure_ascii=False)
    files["entries.jsonl"] = ("\n".join(lines) + "\n").encode()


def flip_raw_entry_byte(files: dict[str, bytes]) -> None:
    """Flip one bit of one byte somewhere inside an entry's base64."""
    content = bytearray(files["entries.jsonl"])
    position = content.index(b'"entry_b64": "') + 40
    content[position] ^= 0x01
    files["entries.jsonl"] = bytes(content)


def flip_checkpoint_root(files: dict[str, bytes]) -> None:
    """Change one character of the second checkpoint's root line."""
    text = files["checkpoints.txt"].decode()
    note_start = text.index("-----BEGIN CHECKPOINT 1-----")
    root_start = text.index("\n45\n", note_start) + 4
    swapped = "B" if text[root_start] != "B" else "C"
    files["checkpoints.txt"] = (text[:root_start] + swapped + text[root_start + 1 :]).encode()


def flip_checkpoint_signature(files: dict[str, bytes]) -> None:
    """Change one character inside the last signature."""
    text = files["checkpoints.txt"].decode()
    position = text.rindex("\u2014 ") + len("\u2014 " + ORIGIN + " ") + 20
    swapped = "A" if text[position] != "A" else "B"
    files["checkpoints.txt"] = (text[:position] + swapped + text[position + 1 :]).encode()


def flip_proof(kind: str) -> Callable[[dict[str, bytes]], None]:
    """Change one hex digit of the first hash of the first proof of ``kind``."""

    def mangle(files: dict[str, bytes]) -> None:
        doc = json.loads(files["proofs.json"])
        first = doc[kind][0]["proof"][0]
        doc[kind][0]["proof"][0] = ("1" if first[0] != "1" else "2") + first[1:]
        files["proofs.json"] = json.dumps(doc).encode()

    return mangle


def lone_surrogate_entry(files: dict[str, bytes]) -> None:
    """Replace one entry by one whose actor is an escaped lone surrogate (valid JSON, invalid Unicode)."""
    lines = files["entries.jsonl"].decode().splitlines()
    record = json.loads(lines[3])
    raw = base64.b64decode(record["entry_b64"]).replace(b'"actor":"clerk-3"', b'"actor":"\\ud800"')
    record["entry_b64"] = base64.b64encode(raw).decode()
    lines[3] = json.dumps(record)
    files["entries.jsonl"] = ("\n".join(lines) + "\n").encode()


def drop_last_entries(files: dict[str, bytes]) -> None:
    """Remove the newest entries, including some a checkpoint signed."""
    lines = files["entries.jsonl"].decode().splitlines()
    files["entries.jsonl"] = ("\n".join(lines[:50]) + "\n").encode()


def swap_public_key(files: dict[str, bytes]) -> None:
    """Replace the key with another one (both spellings, so they still agree with each other)."""
    from dutycare.ledger.bundle import _public_key_txt

    files["public_key.txt"] = _public_key_txt(ORIGIN, Ed25519Signer(seed=b"\x03" * 32).public_key_raw())


@pytest.mark.parametrize(
    ("mangle", "expect"),
    [
        (edit_entry, "entries 20..44 changed after it was signed"),
        (flip_raw_entry_byte, "entries:"),
        (flip_checkpoint_root, "checkpoint 1"),
        (flip_checkpoint_signature, "signature"),
        (flip_proof("inclusion"), "inclusion proof"),
        (flip_proof("consistency"), "consistency proof"),
        (drop_last_entries, "signed over 58 entries but the bundle has 50"),
        (lone_surrogate_entry, "not valid Unicode"),
        (swap_public_key, "no signature by key"),
    ],
)
def test_verifier_detects_tampering(
    tmp_path: Path, mangle: Callable[[dict[str, bytes]], None], expect: str
) -> None:
    files = make_bundle(tmp_path)
    mangle(files)
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    result = verify(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stdout.splitlines()[-1]
    assert last.startswith("FAILED") and expect in last, result.stdout


def test_verifier_reports_missing_files(tmp_path: Path) -> None:
    make_bundle(tmp_path)
    (tmp_path / "proofs.json").unlink()
    result = verify(tmp_path)
    assert result.returncode == 1 and "proofs.json" in result.stdout
    result = verify(tmp_path / "nowhere")
    assert result.returncode == 1


def test_builder_refuses_meaningless_bundles() -> None:
    entries = make_entries(10)
    notes = make_checkpoints(entries, [5, 10], SIGNER)
    key, name = SIGNER.public_key_raw(), SIGNER.key_name
    with pytest.raises(BundleError, match="at least one"):
        build_bundle(entries, [], key, name, None)
    with pytest.raises(BundleError, match="not covered"):
        build_bundle(entries, notes, key, name, [10])
    with pytest.raises(BundleError, match="only 8"):
        build_bundle(entries[:8], notes, key, name, None)
    with pytest.raises(BundleError, match="no signature line"):
        build_bundle(entries, notes, Ed25519Signer(seed=b"\x04" * 32).public_key_raw(), name, None)
    assert json.loads(build_bundle(entries, notes, key, name, None)["proofs.json"])["inclusion"] == []
