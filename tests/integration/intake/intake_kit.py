"""Pieces the intake tests share: an intake app over a fresh intake database, and the form filled in."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dutycare.adapters.crypto.intake_box import IntakeOpener, KdfCost, LockedIntakeKey, ReceiptBook
from dutycare.adapters.storage.intake_store import SqlIntakeStore
from dutycare.entrypoints.intake.app import create_intake_app
from dutycare.service_layer.intake import IntakeLimits
from dutycare.service_layer.intake_guard import FormTickets, TokenBucket

CHEAP = KdfCost(1, 8192 * 1024)
PASSPHRASE = "a passphrase for the intake key"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 300
ACCOUNT = ("Моего сына Алексея ранили под Бахмутом в марте 2024 года, осколок остался в колене. "
           "В госпитале сказали, что операции не будет — нет квот. ВВК признала его годным, категория Б, "
           "и через две недели его отправили обратно на фронт.")


class Clock:
    """A settable clock in seconds."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Intake:
    """An intake app with its database, the clock its tickets read, and the private key (held by the test only)."""

    app: FastAPI
    client: TestClient
    store: SqlIntakeStore
    clock: Clock
    opener: IntakeOpener

    def ticket(self, lang: str = "ru") -> str:
        page = self.client.get(f"/?lang={lang}")
        found = re.search(r'name="ticket" value="([^"]+)"', page.text)
        assert found, page.text
        self.clock.now += 30
        return found.group(1)

    def submit(self, fields: dict[str, str], files: list[tuple[str, bytes]] | None = None) -> Any:
        data = {"lang": "ru", "ticket": self.ticket(), **fields}
        upload = [("files", (name, body, "application/octet-stream")) for name, body in files or []]
        no_file = [("files", ("", b"", "application/octet-stream"))]  # what a browser sends when none is chosen
        return self.client.post("/submit", data=data, files=upload or no_file)


def receipt_code(html: str) -> str:
    found = re.search(r'id="receipt-code">([^<]+)<', html)
    assert found, html
    return found.group(1)


def make_intake(target: str, limits: IntakeLimits | None = None, per_second: float = 100.0) -> Intake:
    store = SqlIntakeStore.open(target)
    locked = LockedIntakeKey.generate(PASSPHRASE, CHEAP)
    store.set_public_key(locked.public_key)
    clock = Clock()
    app = create_intake_app(store, ReceiptBook(CHEAP), limits=limits, tickets=FormTickets(clock, 5, 0),
                            submissions=TokenBucket(100, per_second, time.monotonic),
                            checks=TokenBucket(100, per_second, time.monotonic), today=lambda: date(2026, 12, 1))
    return Intake(app, TestClient(app), store, clock, locked.unlock(PASSPHRASE))
