"""A lawyer in a real Chromium drafts the canonical joint complaint to three addressees, is refused while an address
is missing, makes it final, downloads the PDF, records sending and registration, sees the due date, then records a
forwarding to the hospital complained about and sees R7."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from browser_kit import SHOTS, Served, sign_in

from dutycare.service_layer import complaints

NAMES = {"p-01": "Максимов Максим Игоревич", "p-02": "Александров Александр Петрович",
         "p-03": "Константинов Константин Юрьевич"}
ADDRESSES = {"p-01": "400005, г. Волгоград, ул. Мира, д. 1", "p-02": "400005, г. Волгоград, ул. Мира, д. 2",
             "p-03": "400001, г. Волгоград, ул. Ленина, д. 3"}
ADVOCATE = ("Пронин Роман Сергеевич", "400066, г. Волгоград, а/я 12")
def _bare(text: str) -> str:
    return re.sub(r"[\s\-]+", "", _flat(text))


TO = ("i-president", "i-investigative-committee", "i-prosecutor-general")


def _flat(text: str) -> str:
    """Words on one line, without the page numbers ("2/7") a page break puts into the text, and without hyphens:
    pdftotext joins a word hyphenated at a line's end («военно-» + «врачебная» reads «военноврачебная»)."""
    return " ".join(w for w in text.split() if not re.fullmatch(r"\d+/\d+", w)).replace("-", "")


def test_lawyer_files_the_joint_complaint(serve: Callable[..., Served], chromium: Callable[..., Any]) -> None:
    from playwright.sync_api import expect

    served = serve(users={"lena": ("lawyer", "Елена")}, scenario=True)
    page = chromium(locale="ru-RU")
    sign_in(page, served.url, "lena")
    page.goto(f"{served.url}/cases/case-a")
    page.click("#draft-complaint")
    expect(page.locator("h1")).to_have_text("Новая жалоба")
    for case in ("case-b", "case-c"):
        page.check(f"input[name=cases][value={case}]")
    page.click("button[name=refresh]")
    for pid, name in NAMES.items():
        row = page.locator(f".applicant[data-person={pid}]")
        row.locator("input[name=applicant_full_name]").fill(name)
        if pid != "p-03":  # the third applicant's address is left out: finalising must refuse it
            row.locator("input[name=applicant_address]").fill(ADDRESSES[pid])
    page.select_option("select[name=rep_person]", "p-04")
    page.fill("input[name=rep_full_name]", ADVOCATE[0])
    page.fill("input[name=rep_address]", ADVOCATE[1])
    for inst in TO:
        page.check(f"input[name=to][value={inst}]")
    page.select_option("select[name=respondent]", "i-hospital")
    page.fill("input[name=letter_date]", "2026-12-01")
    page.check("input[name=will_sign]")
    page.screenshot(path=str(SHOTS / "complaints-01-form.png"), full_page=True)
    page.click("button[name=save]")
    expect(page.locator("#complaint-status")).to_have_text("проект")
    expect(page.locator("#requisites [data-field='applicants[2].address']")).to_be_visible()

    page.click("#finalise")
    expect(page.locator("#problems [data-field='applicants[2].address']")).to_contain_text("адрес для ответа")
    expect(page.locator("#complaint-status")).to_have_text("проект")
    page.screenshot(path=str(SHOTS / "complaints-02-refused.png"), full_page=True)

    page.locator("#edit .applicant[data-person=p-03] input[name=applicant_address]").fill(ADDRESSES["p-03"])
    page.click("#save-draft")
    expect(page.locator("#requisites-ok")).to_be_visible()
    page.click("#finalise")
    expect(page.locator("#complaint-status")).to_have_text("окончательное")
    expect(page.locator(".letter")).to_have_count(3)
    page.screenshot(path=str(SHOTS / "complaints-03-final.png"), full_page=True)

    with page.expect_download() as download:
        page.click(".letter[data-institution=i-prosecutor-general] a.pdf")
    pdf = download.value.path()
    text = _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for needle in ("Генеральная прокуратура Российской Федерации", *NAMES.values(), *ADDRESSES.values(),
                   *ADVOCATE, "01.12.2026", "Подпись"):
        assert _flat(needle) in text, needle
    complaint_id = page.url.rstrip("/").split("/")[-1].split("#")[0]
    lena = served.users["lena"]
    view = complaints.read_draft(served.app.state.web.uow(lena), lena, complaint_id, datetime.now(UTC))
    cited = [f for f in view.findings if f.key in view.draft.finding_keys]
    assert cited
    # pdftotext joins a word hyphenated at a line end ("военно-" / "врачебная"), so compare without hyphens.
    bare = _bare(text)
    for f in cited:
        assert _bare(view.rule_titles[f.rule_id][0]) in bare, f.rule_id
        assert _bare(f.explanation_ru) in bare, f.explanation_ru

    page.fill("#step-sent input[name=date]", "2026-12-02")
    page.select_option("#step-sent select[name=channel]", "letter")
    page.click("#step-sent button")
    expect(page.locator("#complaint-status")).to_have_text("отправлено")
    page.select_option("#step-registered select[name=institution]", "i-prosecutor-general")
    page.fill("#step-registered input[name=date]", "2026-12-03")
    page.fill("#step-registered input[name=number]", "ОГ-123")
    page.click("#step-registered button")
    due = page.locator("#due li[data-kind=response][data-institution=i-prosecutor-general]")
    expect(due).to_contain_text("2027")
    expect(due).to_contain_text("11")
    page.screenshot(path=str(SHOTS / "complaints-04-registered.png"), full_page=True)

    page.select_option("#step-forwarded select[name=institution]", "i-prosecutor-general")
    page.select_option("#step-forwarded select[name=forwarded_to]", "i-hospital")
    page.fill("#step-forwarded input[name=date]", "2026-12-05")
    page.click("#step-forwarded button")
    expect(page.locator("#complaint-findings .finding[data-rule=R7]").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "complaints-05-r7.png"), full_page=True)
