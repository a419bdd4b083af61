"""Publications: an analyst builds, a coordinator approves, a partner sees only approved ones; every file's
SHA-256 is ledgered and verified; a report gives away no suppressed cell, alone or compared with another."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime

import pytest
from disclosure_attack import recovered
from patterns_helpers import Synth, published_cells
from sqlalchemy import update

from dutycare.adapters.storage import tables as t
from dutycare.domain.errors import InvalidInput, NotAllowed, NotFound
from dutycare.service_layer import publications
from dutycare.service_layer.publications import PublicationRequest
from dutycare.service_layer.queries import CaseQuery

THRESHOLD = 10


def _build(s: Synth, query: CaseQuery = CaseQuery(), summaries: tuple[str, ...] = ()) -> dict[str, object]:
    return publications.build_publication(s.uow(), s.analyst, PublicationRequest(query, "Отказы в лечении", "ru",
                                                                                 summaries),
                                          s.app.reports(), datetime.now(UTC), THRESHOLD)


def _file(s: Synth, record: dict[str, object], name: str) -> bytes:
    body, _ = publications.publication_file(s.uow(), s.coordinator, str(record["id"]), name)
    return body


def test_build_approve_and_a_partner_sees_only_what_was_approved(synth: Synth) -> None:
    record = _build(synth, summaries=("c-0000001",))
    pid = str(record["id"])
    assert record["status"] == "draft"
    assert publications.list_publications(synth.uow(), synth.partner) == []
    with pytest.raises(NotFound):
        publications.publication_file(synth.uow(), synth.partner, pid, "report.pdf")
    with pytest.raises(NotAllowed):
        publications.approve(synth.uow(), synth.analyst, pid, datetime.now(UTC))
    publications.approve(synth.uow(), synth.coordinator, pid, datetime.now(UTC))
    with pytest.raises(InvalidInput, match="only a draft"):
        publications.approve(synth.uow(), synth.coordinator, pid, datetime.now(UTC))
    assert [r["id"] for r in publications.list_publications(synth.uow(), synth.partner)] == [pid]
    pdf, media = publications.publication_file(synth.uow(), synth.partner, pid, "report.pdf")
    assert media == "application/pdf" and pdf.startswith(b"%PDF")
    assert publications.verify_publication(synth.uow(), pid).ok
    assert publications.verify_file(synth.uow(), pid, "report.pdf", pdf)
    assert not publications.verify_file(synth.uow(), pid, "report.pdf", pdf + b" ")
    assert synth.app.verify().ok, "a publication's ledger entries are part of what ledger verify checks"


def test_a_file_changed_after_publication_fails_verification(synth: Synth) -> None:
    record = _build(synth)
    pid = str(record["id"])
    with synth.app.engine.begin() as conn:
        conn.execute(update(t.publication_files).where(t.publication_files.c.name == "facilities.csv")
                     .values(content=b"key,cases\nall,1\n"))
    check = publications.verify_publication(synth.uow(), pid)
    assert not check.ok and any("facilities.csv" in p for p in check.problems)


def test_the_pdf_shows_no_pseudonym_no_full_name_and_no_count_below_the_threshold(synth: Synth, tmp_path) -> None:  # type: ignore[no-untyped-def]
    record = _build(synth, summaries=("c-0000001", "c-0000002"))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_file(synth, record, "report.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "военнослужащий А" in text and "военнослужащий Б" in text
    people = synth.app.uow()
    with people:
        persons = [people.records.person(f"p-{n:07d}") for n in (1, 2)]
    for p in persons:
        assert p.pseudonym not in text
        if p.full_name:
            assert p.full_name not in text and p.full_name.split()[0] not in text
    assert_no_small_count(text)


def assert_no_small_count(text: str) -> None:
    """No whole number below the threshold stands alone in the text (the report's date line aside)."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith(("Дата отчёта", "Report date")))
    number = r"(?<![\w,.\-–])(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?![\w,.])"  # "2 000" is one number
    small = [m.group() for m in re.finditer(number, body) if int(re.sub(r"\D", "", m.group())) < THRESHOLD]
    assert small == [], f"numbers below the threshold in the report: {small[:10]}"


def test_a_published_report_gives_away_no_suppressed_cell(synth: Synth) -> None:
    record = _build(synth)
    tables = json.loads(_file(synth, record, "tables.json"))
    for name in ("facilities", "quarters"):
        published, relations = published_cells(tables[name])
        assert recovered(published, relations) == [], name
    facilities = tables["facilities"]
    assert any(r["with"] is None for r in facilities["rows"]), "the data set has small cells to protect"
    for r in facilities["rows"]:
        if r["with"] is None:
            assert (r["rate"], r["ci_low"], r["ci_high"], r["q_country"], r["flag"]) == (None,) * 5


def test_two_reports_with_overlapping_filters_cannot_both_be_published(synth: Synth) -> None:
    whole = _build(synth)
    with pytest.raises(InvalidInput) as refused:
        _build(synth, CaseQuery(status="open"))  # a subset: differencing it with `whole` would show the rest
    assert refused.value.problems[0].field == "filters" and str(whole["id"]) in refused.value.problems[0].message
    again = _build(synth)  # the very same cases: the same numbers, nothing new
    assert again["population_sha256"] == whole["population_sha256"]


def test_two_reports_on_cases_that_share_none_together_recover_nothing(synth: Synth) -> None:
    a = _build(synth, CaseQuery(region="Московская область"))
    b = _build(synth, CaseQuery(region="Волгоградская область"))
    cells: dict[object, int | None] = {}
    relations: list[list[tuple[object, int]]] = []
    for n, record in enumerate((a, b)):
        table = json.loads(_file(synth, record, "tables.json"))["facilities"]
        published, rels = published_cells(table)
        cells |= {(n, k): v for k, v in published.items()}
        relations += [[((n, k), c) for k, c in rel] for rel in rels]
    assert recovered(cells, relations) == []


def test_a_filter_that_leaves_too_few_cases_cannot_be_published(synth: Synth) -> None:
    with pytest.raises(InvalidInput) as refused:
        _build(synth, CaseQuery(text="nosuchwordanywhere"))
    assert refused.value.problems[0].field == "filters"
    with pytest.raises(InvalidInput) as untitled:
        publications.build_publication(synth.uow(), synth.analyst, PublicationRequest(CaseQuery(), " "),
                                       synth.app.reports(), datetime.now(UTC), THRESHOLD)
    assert untitled.value.problems[0].field == "title"
