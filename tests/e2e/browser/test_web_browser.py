"""The staff application in a real Chromium: sign in, read case B and its findings, add an event, switch language.

Runs Debian's Chromium through Playwright (never a downloaded browser); fixtures in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from browser_kit import PASSWORD, SHOTS, Served


def test_caseworker_journey(serve: Callable[..., Served], chromium: Callable[..., Any]) -> None:
    from playwright.sync_api import expect

    served = serve(users={"anna": ("caseworker", "Анна")}, scenario=True).url
    page = chromium(locale="ru-RU")
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
