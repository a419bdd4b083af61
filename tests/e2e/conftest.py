"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_runner import run


@pytest.fixture
def cli_env(db_target: str, tmp_path: Path) -> dict[str, str]:
    """An environment naming a fresh database, a key file outside its data directory, and the staff account the
    command line acts as (the database's first coordinator)."""
    env = {**os.environ, "DUTYCARE_DB": db_target, "DUTYCARE_KEY_FILE": str(tmp_path / "keys" / "org.key"),
           "DUTYCARE_VAULT": str(tmp_path / "data" / "vault")}
    env.pop("DUTYCARE_ACTOR", None)
    run("init", env=env)
    run("users", "add", "clerk", "--role", "coordinator", env=env)
    return {**env, "DUTYCARE_ACTOR": "clerk"}
