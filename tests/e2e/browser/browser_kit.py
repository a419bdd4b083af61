"""Shared pieces of the browser tests: Debian's Chromium, and a staff app served by uvicorn on a free loopback port.

Each browser test starts its own server with `serve(...)` (a database, the users it needs, optionally the
canonical scenario) and drives it through `chromium()`. Never a downloaded browser.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from dutycare.bootstrap import Dutycare, initialise
from dutycare.entrypoints.web.app import create_app
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, services
from dutycare.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[3] / "screenshots"
PASSWORD = "browser-test-password"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here is a browser test; it skips only when Chromium is absent and CI is not set."""
    skip = pytest.mark.skip(reason="Debian's Chromium is not installed (apt-get install -y chromium); CI installs it")
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists() and not os.environ.get("CI"):
                item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running staff app: its base URL, the Dutycare behind it, and the staff users made for the test."""

    url: str
    dc: Dutycare
    app: Any
    users: dict[str, Any]


def serve_app(app: Any) -> tuple[str, Callable[[], None]]:
    """Serve an ASGI app on a free loopback port; returns the URL and a function that stops it."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """A factory: `serve(users={"anna": "caseworker"}, scenario=True)` starts the staff app and returns `Served`.

    A coordinator "boss" always exists; every other user is created with PASSWORD and a Russian display name
    when one is given as `(role, display_name)`.
    """
    stops: list[Callable[[], None]] = []
    dcs: list[Dutycare] = []

    def start(users: dict[str, str | tuple[str, str]] | None = None, scenario: bool = False,
              settings: dict[str, Any] | None = None) -> Served:
        n = len(dcs)
        dc = initialise(Settings(db=str(tmp_path / f"data{n}" / "demo.db"), key_file=tmp_path / f"keys{n}" / "org.key",
                                 vault=tmp_path / f"data{n}" / "vault", actor="browser-test", **(settings or {})))
        dcs.append(dc)
        if scenario:
            services.import_case_file(dc.uow(), load_scenario())
        app = create_app(dc)
        now = datetime.now(UTC)
        boss, _ = accounts.add_user(app.state.web.uow(), "boss", "coordinator", now, by=None, password=PASSWORD)
        made: dict[str, Any] = {"boss": boss}
        for name, spec in (users or {}).items():
            role, display = (spec, name) if isinstance(spec, str) else spec
            made[name], _ = accounts.add_user(app.state.web.uow(), name, role, now, by=boss, display_name=display,
                                              password=PASSWORD)
        url, stop = serve_app(app)
        stops.append(stop)
        return Served(url=url, dc=dc, app=app, users=made)

    try:
        yield start
    finally:
        for stop in stops:
            stop()
        for dc in dcs:
            dc.close()


@pytest.fixture
def chromium() -> Iterator[Callable[..., Any]]:
    """A factory of Playwright pages in Debian's Chromium: `page = chromium(locale="ru-RU")`."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)

        def new_page(locale: str = "ru-RU", **kw: Any) -> Any:
            return browser.new_page(viewport={"width": 1360, "height": 900}, locale=locale, **kw)

        try:
            yield new_page
        finally:
            browser.close()


def sign_in(page: Any, base: str, name: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (the second factor is not enabled for test users)."""
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button.primary")
