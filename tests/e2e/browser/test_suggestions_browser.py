"""A caseworker reads a testimony's suggested facts in Chromium and accepts one into a prefilled event form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from browser_kit import SHOTS, Served, sign_in


def test_caseworker_accepts_a_suggested_refusal(serve: Callable[..., Served], chromium: Callable[..., Any]) -> None:
    from playwright.sync_api import expect

    served = serve(users={"anna": ("caseworker", "Анна")}, scenario=True).url
    page = chromium(locale="ru-RU")
    sign_in(page, served, "anna")
    page.goto(f"{served}/cases/case-c")
    page.click("#event-ev-c-testimony >> text=Предлагаемые факты")
    expect(page.locator("h1")).to_have_text("Предлагаемые факты")
    marked = page.locator("mark.fact-refusal")
    expect(marked.first).to_be_visible()
    page.screenshot(path=str(SHOTS / "h-facts-01-suggestions.png"), full_page=True)
    refusal = page.locator("li.suggestion.fact-refusal")
    expect(refusal).to_contain_text("Отказ в лечении: негласное указание")
    refusal.locator("text=Принять: открыть форму события").click()
    expect(page.locator("h2")).to_contain_text("Отказ в лечении")
    expect(page.locator("select[name='details.reason_kind']")).to_have_value("unwritten_directive")
    expect(page.locator("input[name=sources][value=s-04]")).to_be_checked()
    page.screenshot(path=str(SHOTS / "h-facts-02-prefilled-form.png"), full_page=True)
