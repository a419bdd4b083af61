"""In Chromium, a Russian reader sees names and words: findings cite events by date, type and institution with
links that open the cited event, R8's dozen events read as a list, dates read «март 2024»."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from browser_kit import SHOTS, Served, sign_in

from dutycare.service_layer import event_writes


def test_findings_cite_events_by_name_with_links_that_work(serve: Callable[..., Served],
                                                          chromium: Callable[..., Any]) -> None:
    served = serve(scenario=True)
    page = chromium()
    sign_in(page, served.url, "boss")
    page.goto(f"{served.url}/cases/case-a")
    r8 = page.locator("li.finding[data-rule=R8]")
    assert r8.locator("ul.explained li").count() >= 5, "R8's contradictions are a list"
    assert len(r8.locator("p").first.inner_text()) < 400, "R8 opens with a short sentence"
    head = page.locator("h1").inner_text()
    assert head and "case-a" not in page.locator("nav.crumbs").inner_text()
    assert "около октября 2023" in page.locator("#timeline").inner_text()
    page.screenshot(path=str(SHOTS / "russian-01-case-a.png"), full_page=True)
    refs = r8.locator("details.refs")
    refs.locator("summary").click()
    other = refs.locator("a[href^='/cases/case-c#event-']").first
    text, href = other.inner_text(), other.get_attribute("href")
    assert "ev-" not in text and any(month in text for month in ("2023", "2024"))
    other.click()
    page.wait_for_url(f"**{href}")
    target = href.split("#", 1)[1]
    assert page.locator(f"li#{target}").count() == 1, "the link opens the cited event on its own case's page"
    page.screenshot(path=str(SHOTS / "russian-02-cited-event.png"))
    # The joint appeal is a video message, which runs no statutory clock: a letter gives the table a row.
    event_writes.record_event(served.dc.uow(), {
        "id": "ev-letter", "type": "complaint", "date": "2024-04-01", "cases": ["case-a"],
        "sources": [{"source": "s-05"}],
        "details": {"addressees": ["i-prosecutor-general"], "applicants": ["p-01"], "channel": "letter",
                    "subject": "Письменная копия обращения", "kind": "appeal"}})
    page.goto(f"{served.url}/deadlines")
    assert page.locator("table tbody tr").count() >= 1
    assert "case-a" not in page.locator("table").inner_text()
    page.screenshot(path=str(SHOTS / "russian-03-deadlines.png"), full_page=True)
    page.goto(f"{served.url}/audit")
    assert "coordinator" not in page.locator("table").inner_text()
    page.screenshot(path=str(SHOTS / "russian-04-audit.png"), full_page=True)
