"""An intake application over a fresh intake database on each back end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from intake_kit import Intake, make_intake


@pytest.fixture
def intake(db_target: str) -> Iterator[Intake]:
    """The public intake app, its database on SQLite or PostgreSQL."""
    made = make_intake(db_target.replace("dutycare.db", "intake.db"))
    try:
        yield made
    finally:
        made.store.close()
