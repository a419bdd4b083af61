"""What sealing on arrival and receipt checks cost the public intake form.

- Sealing a file as it streams in (64 KiB XChaCha20-Poly1305 chunks, the part's key sealed to the intake public
  key), in MiB/s; the baseline, measured in the same run, is SHA-256 over the same bytes in the same chunks (the
  least an integrity-checked copy must do).
- Checking a receipt code (Argon2id at the intake's cost), in checks per second; that cost is deliberate, and it
  is why receipt checks have their own global token bucket. The baseline is one SHA-256 of the code.

    python benchmarks/bench_intake.py
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from nacl.public import PrivateKey

from dutycare.adapters.crypto.intake_box import CHUNK, IntakeOpener, IntakeSealer, ReceiptBook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, report

SIZE = 32 << 20
CHECKS = 20


def _seal_rate(data: bytes, sealer: IntakeSealer) -> float:
    started = time.perf_counter()
    part = sealer.part(b"bench")
    for i in range(0, len(data), CHUNK):
        part.feed(data[i:i + CHUNK])
    part.finish()
    return len(data) / (1 << 20) / (time.perf_counter() - started)


def _hash_rate(data: bytes) -> float:
    started = time.perf_counter()
    digest = hashlib.sha256()
    for i in range(0, len(data), CHUNK):
        digest.update(data[i:i + CHUNK])
    digest.digest()
    return len(data) / (1 << 20) / (time.perf_counter() - started)


def main() -> None:
    print(machine())
    private = PrivateKey.generate()
    sealer = IntakeSealer(bytes(private.public_key))
    data = os.urandom(SIZE)
    assert IntakeOpener(private).open(sealer.seal(data[:CHUNK * 3], b"x"), b"x") == data[:CHUNK * 3]
    sealed = max(_seal_rate(data, sealer) for _ in range(3))
    hashed = max(_hash_rate(data) for _ in range(3))
    report("seal a file as it streams in", round(sealed, 1), "MiB/s", baseline=round(hashed, 1),
           baseline_label="SHA-256 of the same chunks", ratio=round(hashed / sealed, 2))

    book = ReceiptBook()
    code, stored = book.new()
    letters, _ = book.parse(code) or ("", "")
    started = time.perf_counter()
    for _ in range(CHECKS):
        assert book.check(letters, stored) is not None
    slow = CHECKS / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(CHECKS * 1000):
        hashlib.sha256(letters.encode()).digest()
    fast = CHECKS * 1000 / (time.perf_counter() - started)
    report("check a receipt code (Argon2id)", round(slow, 1), "checks/s", baseline=round(fast),
           baseline_label="one SHA-256 of the code", ratio=round(fast / slow))


if __name__ == "__main__":
    main()
