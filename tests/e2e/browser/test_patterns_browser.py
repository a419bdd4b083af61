"""In a real browser: an analyst sees the planted hospital flagged with its interval, builds a report, the
coordinator approves it, a partner downloads the PDF, and the PDF names no one and shows no small count."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser_kit import SHOTS, sign_in

from dutycare.adapters.importers import open_source
from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.service_layer.bulk_import import import_records
from dutycare.synth import write_jsonl

SEED, CASES, THRESHOLD = 7, 2000, 10
PLANTED = "i-r05-hospital-2"  # one of the four hospitals synth's seed 7 makes refuse treatment far more often


def test_analyst_builds_coordinator_approves_partner_downloads(serve: Callable[..., Any],
                                                               chromium: Callable[..., Any], tmp_path: Path) -> None:
    served = serve(users={"anna": ("analyst", "Анна Аналитик"), "pavel": ("partner", "Павел Партнёр")})
    data = tmp_path / "synth.jsonl"
    with data.open("w", encoding="utf-8") as f:
        write_jsonl(f, CASES, SEED)
    import_records(served.dc.uow(), open_source(data), SqlBulkStore.for_uow)

    analyst = chromium()
    sign_in(analyst, served.url, "anna")
    analyst.goto(f"{served.url}/patterns")
    row = analyst.locator(f'tr[data-key="{PLANTED}"]')
    assert "чаще остальных" in row.inner_text()
    assert re.search(r"\d+,\d %\s*–\s*\d+,\d %", row.locator("td.interval").inner_text())
    analyst.screenshot(path=str(SHOTS / "patterns-01-analyst-table.png"), full_page=True)
    analyst.fill("input[name=title]", "Отказы в лечении по госпиталям")
    analyst.fill("input[name=summaries]", "c-0000001 c-0000002")
    analyst.click("form.publish button.primary")
    analyst.wait_for_url(re.compile(r"/publications/pub-"))
    publication_url = analyst.url
    assert "черновик" in analyst.inner_text("main")
    analyst.screenshot(path=str(SHOTS / "patterns-02-draft.png"), full_page=True)

    coordinator = chromium()
    sign_in(coordinator, served.url, "boss")
    coordinator.goto(f"{publication_url}/files/report.html")
    assert "Отказы в лечении по учреждениям" in coordinator.inner_text("body")
    coordinator.screenshot(path=str(SHOTS / "patterns-03-preview.png"))
    coordinator.goto(publication_url)
    coordinator.click("text=Утвердить к публикации")
    coordinator.wait_for_load_state()
    assert "утверждена" in coordinator.inner_text("main")
    coordinator.screenshot(path=str(SHOTS / "patterns-04-approved.png"), full_page=True)

    partner = chromium()
    sign_in(partner, served.url, "pavel")
    partner.goto(f"{served.url}/publications")
    partner.click("text=Отказы в лечении по госпиталям")
    partner.screenshot(path=str(SHOTS / "patterns-05-partner.png"), full_page=True)
    with partner.expect_download() as got:
        partner.click("a[href$='/files/report.pdf']")
    pdf = tmp_path / "report.pdf"
    got.value.save_as(str(pdf))
    assert partner.goto(f"{served.url}/patterns").status == 403

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Отказы в лечении по госпиталям" in text and "военнослужащий А" in text
    uow = served.dc.uow()
    with uow:
        people = [uow.records.person(f"p-{n:07d}") for n in range(1, CASES + 1)]
    pseudonyms = {p.pseudonym for p in people}
    assert not [p for p in pseudonyms if p in text]
    assert not [p.full_name for p in people if p.full_name and p.full_name in text]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("Дата отчёта"))
    number = r"(?<![\w,.\-–])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?![\w,.])"
    small = [m.group() for m in re.finditer(number, body) if int(re.sub(r"\D", "", m.group())) < THRESHOLD]
    assert small == [], small[:10]
