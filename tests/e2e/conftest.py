"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_runner import run


@pytest.fixture
def cli_env(db_target: str, tmp_path: Path) -> dict[str, str]:
    """An environment naming a fresh database and a key file outside its data directory."""
    env = {**os.environ, "DUTYCARE_DB": db_target, "DUTYCARE_KEY_FILE": str(tmp_path / "keys" / "org.key"),
           "DUTYCARE_VAULT": str(tmp_path / "data" / "vault")}
    run("init", env=env)
    return env
