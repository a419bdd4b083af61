"""A caseworker's day in a real Chromium, from an empty database: open a case with its person, add a source and
the institutions, record four events, upload a scan, see finding R1, take the scan out again and check its
SHA-256, and read the page in English and back in Russian. Screenshots go to screenshots/daily-*.png."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser_kit import SHOTS, Served, sign_in

SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% a scan of the commission's decision\n" + bytes(range(256)) * 8


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"daily-{name}.png"), full_page=True)


def _add_institution(page: Any, name: str, kind: str) -> None:
    from playwright.sync_api import expect

    page.click("a.button:has-text('Учреждения')")
    page.fill("input[name=q]", name[:9])
    page.click(".filters button.primary")
    expect(page.locator(".empty")).to_contain_text("Учреждений с таким названием нет")
    page.fill("input[name=name]", name)
    page.select_option("select[name=type]", kind)
    page.click(".record-form button.primary")
    expect(page.locator("h1")).to_have_text("Добавить событие")  # back to the case's event form


def _add_event(page: Any, case_url: str, type_label: str, fields: dict[str, str], institution: str | None) -> None:
    from playwright.sync_api import expect

    page.goto(case_url)
    page.click("a.button:has-text('Добавить событие')")
    page.click(f"text={type_label}")
    for name, value in fields.items():
        target = page.locator(f"[name='{name}']")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    if institution:
        page.select_option("select[name=institution]", label=institution)
    page.check("input[type=checkbox][name=sources]")
    page.click(".event-form button.primary")
    expect(page.locator(".timeline")).to_contain_text(type_label)


def test_a_case_from_nothing(serve: Callable[..., Served], chromium: Callable[..., Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    served = serve(users={"vera": ("caseworker", "Вера Сергеевна")})
    base = served.url
    page = chromium(locale="ru-RU")
    sign_in(page, base, "vera")
    expect(page.locator("h1")).to_have_text("Дела")
    _shot(page, "01-empty-list")

    # Open the case; a first try without a title or a pseudonym comes back with the problems beside the fields.
    page.click("a.button:has-text('Новое дело')")
    page.fill("input[name=region]", "Белгородская область")
    page.click(".record-form button.primary")
    expect(page.locator("[data-field=title] .field-error")).to_be_visible()
    expect(page.locator("[data-field='person.pseudonym'] .field-error")).to_be_visible()
    expect(page.locator("input[name=region]")).to_have_value("Белгородская область")
    _shot(page, "02-new-case-problems")
    page.fill("input[name=title]", "Дело Е: осколок в плече, признан годным без операции")
    page.fill("input[name=opened]", "2024-03")
    page.fill("input[name='person.pseudonym']", "Пётр")
    page.select_option("select[name='person.service_status']", "mobilised")
    page.fill("input[name='person.birth_year']", "1988")
    page.fill("input[name='person.full_name']", "Петров Пётр Петрович")
    page.click(".record-form button.primary")
    expect(page.locator("h1")).to_contain_text("Дело Е")
    expect(page.locator("#person")).to_contain_text("Пётр")
    expect(page.locator("#person")).not_to_contain_text("Петров")
    case_url = page.url.split("?")[0].split("#")[0]
    _shot(page, "03-case-opened")

    # A source, then the hospital and the commission (found by name first: there are none yet).
    page.click("a.button:has-text('Добавить источник')")
    page.fill("input[name=title]", "Выписной эпикриз и решение ВВК (копии у правозащитника)")
    page.select_option("select[name=kind]", "medical_document")
    page.select_option("select[name=reliability]", "B")
    page.fill("input[name=date]", "2024-03")
    page.click(".record-form button.primary")
    expect(page.locator("h1")).to_have_text("Добавить событие")
    page.goto(case_url)
    _add_institution(page, "Военный госпиталь № 1", "hospital")
    page.goto(case_url)
    _add_institution(page, "Военно-врачебная комиссия госпиталя № 1", "medical_commission")
    page.goto(f"{base}/institutions?q=воен")
    expect(page.locator(".institution-list li")).to_have_count(2)
    _shot(page, "04-institutions")

    # Four events: injury, medical finding, recommendation, and a category А fitness decision.
    _add_event(page, case_url, "Ранение или травма",
               {"date": "2024-03-02", "details.injury": "осколочное ранение плеча"}, None)
    _add_event(page, case_url, "Медицинское заключение",
               {"date": "2024-03-04", "details.finding": "осколок в мягких тканях плеча"}, "Военный госпиталь № 1")
    _add_event(page, case_url, "Рекомендовано лечение",
               {"date": "2024-03-04", "details.treatment": "удаление осколка"}, "Военный госпиталь № 1")
    _add_event(page, case_url, "Решение ВВК о годности", {"date": "2024-03-20", "details.category": "А"},
               "Военно-врачебная комиссия госпиталя № 1")
    expect(page.locator("#findings .finding[data-rule='R1']").first).to_be_visible()
    _shot(page, "05-four-events-r1")

    # Upload the scan on the fitness decision; its SHA-256 is shown and the file listed with who added it.
    scan = tmp_path / "решение-ввк.pdf"
    scan.write_bytes(SCAN)
    digest = hashlib.sha256(SCAN).hexdigest()
    decision = page.locator("li.event", has_text="Решение ВВК о годности")
    decision.locator("details.upload summary").click()
    decision.locator("input[type=file][name=file]").set_input_files(str(scan))
    decision.locator(".upload-form button").click()
    expect(page.locator("#upload-result")).to_contain_text(digest)
    listed = page.locator("li.evidence-file").first
    expect(listed).to_contain_text("решение-ввк.pdf")
    expect(listed).to_contain_text("Вера Сергеевна")
    expect(listed).to_contain_text("application/pdf")
    expect(page.locator("#findings .finding[data-rule='R1']").first).to_be_visible()
    _shot(page, "06-scan-uploaded")

    # Take the original out again and check it is the same file.
    with page.expect_download() as taken:
        listed.locator("a.evidence-download").click()
    saved = Path(taken.value.path())
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == digest
    assert taken.value.suggested_filename == "решение-ввк.pdf"

    # English and back.
    page.click("button[name=lang][value=en]")
    expect(page.locator("#timeline-h")).to_have_text("Timeline")
    expect(page.locator("li.evidence-file").first).to_contain_text("Download the original")
    _shot(page, "07-case-english")
    page.click("button[name=lang][value=ru]")
    expect(page.locator("#timeline-h")).to_have_text("Хронология")
    _shot(page, "08-case-russian")
