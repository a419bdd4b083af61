"""Deadlines in a real Chromium: judged as of a chosen day, the coming week, the calendar download, the case page.

Runs Debian's Chromium through Playwright; fixtures in conftest.py (browser_kit.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser_kit import SHOTS, Served, sign_in
from icalendar import Calendar

from dutycare.service_layer import event_writes

LETTER = {"id": "ev-letter", "type": "complaint", "date": "2024-04-01", "cases": ["case-a"],
          "sources": [{"source": "s-05"}],
          "details": {"addressees": ["i-prosecutor-general"], "applicants": ["p-01"], "channel": "letter",
                      "subject": "Письменная копия обращения", "kind": "appeal"}}
REGISTERED = {"id": "ev-letter-registered", "type": "complaint_registered", "date": "2024-04-02",
              "cases": ["case-a"], "institution": "i-prosecutor-general", "sources": [{"source": "s-05"}],
              "details": {"complaint": "ev-letter", "registration_number": "12/2024"}}


def test_a_lawyer_reads_deadlines_as_of_a_day_and_downloads_the_calendar(serve: Callable[..., Served],
                                                                        chromium: Callable[..., Any]) -> None:
    from playwright.sync_api import expect

    served = serve(users={"lena": ("lawyer", "Елена")}, scenario=True)
    for event in (LETTER, REGISTERED):
        event_writes.record_event(served.dc.uow(), event)
    page = chromium(locale="ru-RU", accept_downloads=True)
    sign_in(page, served.url, "lena")
    expect(page.locator("h1")).to_have_text("Дела")

    page.goto(f"{served.url}/deadlines")
    page.fill("#as-of-form input[name=as_of]", "2024-04-27")
    page.click("#as-of-form button")
    expect(page.locator(".page-head")).to_contain_text("27 апреля 2024")
    expect(page.locator("#due-soon-link")).to_contain_text("Сроки в ближайшие 7 дней (1)")
    page.screenshot(path=str(SHOTS / "h-clocks-01-deadlines-as-of.png"), full_page=True)
    page.click("#due-soon-link")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text("2 мая 2024")
    expect(page.locator("table.list")).to_contain_text("Генеральная прокуратура Российской Федерации")
    page.screenshot(path=str(SHOTS / "h-clocks-02-due-in-7-days.png"), full_page=True)

    with page.expect_download() as caught:
        page.click("#calendar-link")
    events = Calendar.from_ical(Path(caught.value.path()).read_bytes()).walk("VEVENT")
    assert len(events) == 2 and {e.decoded("dtstart").isoformat() for e in events} == {"2024-04-04", "2024-05-02"}

    page.goto(f"{served.url}/deadlines?as_of=вчера")
    expect(page.locator("#as-of-form .error")).to_contain_text("На дату")
    page.screenshot(path=str(SHOTS / "h-clocks-03-bad-day.png"), full_page=True)

    page.goto(f"{served.url}/cases/case-a")
    page.fill("#as-of-form input[name=as_of]", "2024-06-01")
    page.click("#as-of-form button")
    expect(page.locator("#complaints .notice")).to_contain_text("1 июня 2024")
    expect(page.locator("#findings")).to_contain_text("02.05.2024")
    page.screenshot(path=str(SHOTS / "h-clocks-04-case-as-of.png"), full_page=True)
    page.fill("#as-of-form input[name=as_of]", "2024-04-20")
    page.click("#as-of-form button")
    expect(page.locator("#findings")).not_to_contain_text("02.05.2024")
    expect(page.locator("#findings")).to_contain_text("срок ответа законом не установлен")
