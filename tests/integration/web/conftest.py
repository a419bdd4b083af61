"""A served scenario database with one user of each role, for page and API tests on both back ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, Staff

from db_templates import Fill
from dutycare.bootstrap import Dutycare
from dutycare.entrypoints.web.app import create_app
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, services
from dutycare.service_layer.access import Role


def _import_scenario(app: Dutycare, scratch: Path) -> None:
    services.import_case_file(app.uow(), load_scenario())


@pytest.fixture
def app_contents(request: pytest.FixtureRequest) -> tuple[str, Fill | None]:
    """A test of the served application gets ``app`` with the canonical scenario imported (into a template, once);
    a test of ``app`` alone gets it empty."""
    return ("scenario", _import_scenario) if "web" in request.fixturenames else ("empty", None)


@pytest.fixture
def web(app: Dutycare) -> FastAPI:
    """The staff application over the scenario."""
    assert services.record_counts(app.uow())["case"] > 0, "app_contents gave no scenario"
    return create_app(app)


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id at its smallest cost for the passwords a test makes and signs in with: the same code paths, without
    half a second per hash (tests/unit/test_password_cost.py holds the production cost)."""
    monkeypatch.setattr(accounts, "_HASHER", CHEAP_HASHER)
    accounts._dummy_hash.cache_clear()
    yield
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def staff(web: FastAPI, cheap_passwords: None) -> dict[str, Staff]:
    """One user per role, signed in and holding a token."""
    ctx = web.state.web
    out = {}
    coordinator = None  # the first coordinator is created without an account; it adds everyone else
    for role in sorted(Role, key=lambda r: r is not Role.COORDINATOR):
        user, _ = accounts.add_user(ctx.uow(), f"{role.value}-one", role.value, datetime.now(UTC), by=coordinator,
                                    password=PASSWORD)
        coordinator = coordinator or user
        _, secret = accounts.create_token(ctx.uow(), user.id, "tests", datetime.now(UTC), by=user)
        session, info = accounts.sign_in(ctx.uow(), user.name, PASSWORD, "test", datetime.now(UTC), ctx.policy)
        out[role.value] = Staff(user, secret, session, info.csrf)
    return out


@pytest.fixture
def client(web: FastAPI) -> Iterator[TestClient]:
    """A client on https (the session cookie is Secure), failing on no server error silently."""
    with TestClient(web, base_url="https://testserver", raise_server_exceptions=True, follow_redirects=False) as c:
        yield c
