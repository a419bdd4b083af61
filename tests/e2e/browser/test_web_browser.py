"""The staff application in a real Chromium: sign in, read case B and its findings, add an event, switch language.

Runs Debian's Chromium through Playwright (never a downloaded browser). Skips only when /usr/bin/chromium is
absent and CI is not set; in CI it must run.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn

from dutycare.bootstrap import initialise
from dutycare.entrypoints.web.app import create_app
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, services
from dutycare.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[3] / "screenshots"
PASSWORD = "browser-test-password"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                       reason="Debian's Chromium is not installed (apt-get install -y chromium); CI installs it"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The scenario served by uvicorn on a free loopback port, with a caseworker who can sign in."""
    dc = initialise(Settings(db=str(tmp_path / "data" / "demo.db"), key_file=tmp_path / "keys" / "org.key",
                             actor="browser-test"))
    services.import_case_file(dc.uow(), load_scenario())
    app = create_app(dc)
    boss, _ = accounts.add_user(app.state.web.uow(), "boss", "coordinator", datetime.now(UTC), by=None)
    accounts.add_user(app.state.web.uow(), "anna", "caseworker", datetime.now(UTC), by=boss, display_name="Анна",
                      password=PASSWORD)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        dc.close()


def test_caseworker_journey(served: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="ru-RU")
        page.goto(f"{served}/cases")
        expect(page.locator("h1")).to_have_text("Вход")
        page.screenshot(path=str(SHOTS / "01-login.png"))
        page.fill("input[name=name]", "anna")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        expect(page.locator("h1")).to_have_text("Дела")
        cookie = next(c for c in page.context.cookies() if c["name"] == "dc_session")
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.screenshot(path=str(SHOTS / "02-cases.png"), full_page=True)

        page.fill("input[name=q]", "колено")
        page.click(".filters button.primary")
        expect(page.locator("a.case-link")).to_have_count(1)
        page.click("a.case-link")
        expect(page.locator("h1")).to_contain_text("Дело Б")
        findings = page.locator("#findings")
        expect(findings).to_be_visible()
        expect(page.locator("#findings .finding").first).to_be_visible()
        before = page.locator("#findings .finding").evaluate_all("els => els.map(e => e.dataset.rule)")
        page.screenshot(path=str(SHOTS / "03-case-b.png"), full_page=True)

        # An invalid event first: the form comes back with the problem next to the field.
        page.click("text=Добавить событие")
        page.click("text=Решение ВВК о годности")
        page.fill("input[name=date]", "2024-02")
        page.select_option("select[name=institution]", "i-commission")
        page.check("input[name=sources][value=s-02]")
        page.click("button.primary")
        expect(page.locator("[data-field='details.category'] .field-error")).to_be_visible()
        page.screenshot(path=str(SHOTS / "04-event-form-error.png"), full_page=True)

        # Fit (category А) at the commission while the recommended knee surgery is outstanding: R1.
        page.select_option("select[name='details.category']", "А")
        page.click("button.primary")
        expect(page.locator("h1")).to_contain_text("Дело Б")
        expect(page.locator(".timeline")).to_contain_text("Решение ВВК о годности")
        after = page.locator("#findings .finding[data-rule='R1']")
        expect(after.first).to_be_visible()
        assert after.count() > sum(1 for rule in before if rule == "R1")
        page.screenshot(path=str(SHOTS / "05-case-b-after.png"), full_page=True)

        page.click("button[name=lang][value=en]")
        expect(page.locator("#timeline-h")).to_have_text("Timeline")
        expect(page.locator(".timeline")).to_contain_text("Fitness decision")
        page.screenshot(path=str(SHOTS / "06-case-b-en.png"), full_page=True)
        page.click("button[name=lang][value=ru]")
        expect(page.locator("#timeline-h")).to_have_text("Хронология")
        browser.close()
