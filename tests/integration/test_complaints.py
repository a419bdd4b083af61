"""Complaint drafts through the services, on SQLite and PostgreSQL: drafted from the canonical cases, refused while
a requisite is missing, finalised into stored PDFs, followed through sending, registration and forwarding."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import InvalidInput, NotAllowed, NotFound
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, case_views, complaints, services
from dutycare.service_layer.access import User

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
NAMES = {"p-01": "Максимов Максим Игоревич", "p-02": "Александров Александр Петрович",
         "p-03": "Константинов Константин Юрьевич"}


def _staff(app: Dutycare) -> dict[str, User]:
    uow = StaffSqlUnitOfWork.like(app.uow())
    boss, _ = accounts.add_user(uow, "coord", "coordinator", AT, by=None, password="a long enough password")
    out = {"coordinator": boss}
    for role in ("lawyer", "caseworker", "analyst"):
        out[role], _ = accounts.add_user(StaffSqlUnitOfWork.like(app.uow()), role, role, AT, by=boss,
                                         password="a long enough password")
    return out


def _uow(app: Dutycare) -> StaffSqlUnitOfWork:
    return StaffSqlUnitOfWork.like(app.uow())


def joint_input(app: Dutycare, lawyer: User, *, address_of_p03: str = "") -> dict[str, Any]:
    """The canonical joint complaint: three applicants, the advocate, three addressees."""
    raw = complaints.new_draft_input(_uow(app), lawyer, ["case-a", "case-b", "case-c"])
    raw["applicants"] = [{"person": p, "full_name": NAMES[p],
                          "address": address_of_p03 if p == "p-03" else f"400005, г. Волгоград, ул. Мира, д. {i + 1}"}
                         for i, p in enumerate(("p-01", "p-02", "p-03"))]
    raw["representative"] = {"person": "p-04", "full_name": "Пронин Роман Сергеевич",
                             "address": "400066, г. Волгоград, а/я 12", "authority": "доверенность от 01.03.2024"}
    raw["addressees"] = [{"institution": "i-president", "template": "authority"},
                         {"institution": "i-investigative-committee", "template": "investigative_committee"},
                         {"institution": "i-prosecutor-general", "template": "prosecutor"}]
    raw.update(letter_date="2026-12-01", will_sign=True, respondent="i-hospital",
               subject="Об отказах в медицинской помощи раненым военнослужащим")
    return raw


@pytest.fixture
def scenario(app: Dutycare) -> dict[str, User]:
    services.import_case_file(app.uow(), load_scenario())
    return _staff(app)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_a_joint_complaint_is_refused_without_an_address_then_finalised_filed_and_forwarded(
        app: Dutycare, scenario: dict[str, User], tmp_path: Path) -> None:
    lawyer = scenario["lawyer"]
    draft = complaints.draft_complaint(_uow(app), lawyer, joint_input(app, lawyer))
    assert draft.finding_keys and draft.facts

    with pytest.raises(InvalidInput) as refused:
        complaints.finalise(_uow(app), lawyer, app.vault(), app.letters(), draft.id)
    assert [p.field for p in refused.value.problems] == ["applicants[2].address"]
    assert complaints.read_draft(_uow(app), lawyer, draft.id, AT).draft.status.value == "draft"

    raw = joint_input(app, lawyer, address_of_p03="400001, г. Волгоград, ул. Ленина, д. 3")
    complaints.update_draft(_uow(app), lawyer, draft.id, raw)
    final = complaints.finalise(_uow(app), lawyer, app.vault(), app.letters(), draft.id)
    assert final.status.value == "final" and len(final.letters) == 3

    pdf = complaints.letter_file(_uow(app), lawyer, app.vault(), app.letters(), draft.id, "i-prosecutor-general",
                                 "pdf", AT)
    text = " ".join(_pdf_text(pdf.content, tmp_path).split())
    for needle in ("Генеральная прокуратура Российской Федерации", *NAMES.values(), "Пронин Роман Сергеевич",
                   "ул. Ленина, д. 3", "а/я 12", "01.12.2026", "Подпись", "ЖАЛОБА"):
        assert needle in text, needle
    page = complaints.read_draft(_uow(app), lawyer, draft.id, AT)
    for f in page.findings:
        if f.key in final.finding_keys:
            assert " ".join(page.rule_titles[f.rule_id][0].split()) in text, f.rule_id
    docx = complaints.letter_file(_uow(app), lawyer, app.vault(), app.letters(), draft.id, "i-president", "docx", AT)
    assert docx.content[:2] == b"PK"

    with pytest.raises(InvalidInput) as edited:
        complaints.update_draft(_uow(app), lawyer, draft.id, raw)
    assert edited.value.problems[0].field == "status"

    sent = complaints.record_step(_uow(app), lawyer, draft.id, {"step": "sent", "date": "2026-12-02",
                                                                "channel": "letter"}, AT)
    assert sent.type.value == "complaint"

    def refused_field(raw_step: dict[str, Any]) -> str:
        with pytest.raises(InvalidInput) as exc:
            complaints.record_step(_uow(app), lawyer, draft.id, raw_step, AT)
        return exc.value.problems[0].field

    before = _event_count(app)
    assert refused_field({"step": "registered", "date": "2026-12-01", "institution": "i-prosecutor-general"}) == "date"
    assert refused_field({"step": "answered", "date": "2026-12-05", "institution": "i-prosecutor-general",
                          "outcome": "refused"}) == "date"
    assert refused_field({"step": "forwarded", "date": "2026-12-05", "institution": "i-prosecutor-general",
                          "forwarded_to": "i-nowhere"}) == "forwarded_to"
    assert refused_field({"step": "registered", "date": "2026-12-05", "institution": "i-hospital"}) == "institution"
    assert _event_count(app) == before

    complaints.record_step(_uow(app), lawyer, draft.id, {"step": "registered", "date": "2026-12-04",
                                                         "institution": "i-prosecutor-general", "number": "ОГ-123"}, AT)
    page = complaints.read_draft(_uow(app), lawyer, draft.id, AT)
    answer = [d for d in page.due_dates if d.addressee_id == "i-prosecutor-general" and d.kind.value == "response"]
    assert answer and answer[0].due.isoformat() == "2027-01-11"  # 30 days from 4.12 is 3.01, a holiday: carried

    complaints.record_step(_uow(app), lawyer, draft.id, {"step": "forwarded", "date": "2026-12-08",
                                                         "institution": "i-prosecutor-general",
                                                         "forwarded_to": "i-hospital"}, AT)
    page = complaints.read_draft(_uow(app), lawyer, draft.id, AT)
    assert {f.rule_id for f in page.complaint_findings} == {"R7"}
    evidence = case_views.case_page(_uow(app), lawyer, "case-a", AT).evidence
    assert sum(len(x) for x in evidence.values()) == 3  # the final letters, entered as the complaint's evidence
    assert app.verify().ok


def _event_count(app: Dutycare) -> int:
    with app.engine.connect() as conn:
        return len(conn.execute(select(t.events.c.id)).all())


def test_names_and_addresses_are_sealed_at_rest(app: Dutycare, scenario: dict[str, User]) -> None:
    lawyer = scenario["lawyer"]
    complaints.draft_complaint(_uow(app), lawyer, joint_input(app, lawyer, address_of_p03="ул. Тайная, д. 7"))
    with app.engine.connect() as conn:
        blobs = b"".join(bytes(r.sealed) for r in conn.execute(select(t.complaint_drafts.c.sealed)))
    for secret in ("Константинов", "ул. Тайная"):
        assert secret.encode() not in blobs


def test_roles_and_hidden_cases(app: Dutycare, scenario: dict[str, User]) -> None:
    lawyer = scenario["lawyer"]
    with pytest.raises(NotAllowed):
        complaints.draft_complaint(_uow(app), scenario["caseworker"], joint_input(app, lawyer))
    draft = complaints.draft_complaint(_uow(app), lawyer, joint_input(app, lawyer))
    with pytest.raises(NotAllowed):
        complaints.read_draft(_uow(app), scenario["analyst"], draft.id, AT)
    case_views.set_case_access(_uow(app), scenario["coordinator"], "case-c", True, frozenset(), AT)
    with pytest.raises(NotFound):
        complaints.read_draft(_uow(app), lawyer, draft.id, AT)
    assert complaints.drafts_of_case(_uow(app), lawyer, "case-a") == []
    with pytest.raises(InvalidInput) as hidden:
        complaints.draft_complaint(_uow(app), lawyer, joint_input(app, scenario["coordinator"]))
    assert hidden.value.problems[0].field == "cases"


def test_an_unknown_field_or_body_is_named(app: Dutycare, scenario: dict[str, User]) -> None:
    lawyer = scenario["lawyer"]
    raw = joint_input(app, lawyer)
    raw["addressees"][0]["institution"] = "i-nowhere"
    raw["requests"] = ["provide_treatment", "fly_to_the_moon"]
    with pytest.raises(InvalidInput) as exc:
        complaints.draft_complaint(_uow(app), lawyer, raw)
    assert [p.field for p in exc.value.problems] == ["requests[1]"]
    raw["requests"] = []
    with pytest.raises(InvalidInput) as exc:
        complaints.draft_complaint(_uow(app), lawyer, raw)
    assert [p.field for p in exc.value.problems] == ["addressees[0].institution"]


def test_an_unanswered_complaint_offers_the_prosecutor_and_the_court_with_its_last_day(
        app: Dutycare, scenario: dict[str, User]) -> None:
    lawyer = scenario["lawyer"]
    raw = joint_input(app, lawyer, address_of_p03="ул. Ленина, 3")
    raw["addressees"] = [{"institution": "i-hospital", "template": "hospital_head"}]
    draft = complaints.draft_complaint(_uow(app), lawyer, raw)
    complaints.finalise(_uow(app), lawyer, app.vault(), app.letters(), draft.id)
    complaints.record_step(_uow(app), lawyer, draft.id, {"step": "sent", "date": "2026-12-01", "channel": "letter"}, AT)
    complaints.record_step(_uow(app), lawyer, draft.id, {"step": "registered", "date": "2026-12-02",
                                                         "institution": "i-hospital"}, AT)
    assert complaints.read_draft(_uow(app), lawyer, draft.id, AT).next_steps == []
    later = datetime(2027, 2, 1, tzinfo=UTC)
    steps = complaints.read_draft(_uow(app), lawyer, draft.id, later).next_steps
    assert [s.template.value for s in steps] == ["prosecutor", "court"]
    # 30 days from 2.12.2026 end on 1.01.2027, carried over the New Year holidays to 11.01; the violation is known on
    # 12.01, and КАС ст. 219 gives three months: 12.04.2027, a Monday.
    assert steps[1].last_day is not None and steps[1].last_day.isoformat() == "2027-04-12"
    assert steps[0].institution_ids == ("i-prosecutor-general",)
    follow = complaints.draft_next(_uow(app), lawyer, draft.id, "prosecutor", "i-prosecutor-general", later)
    assert follow.follows == draft.id and follow.addressees[0].institution_id == "i-prosecutor-general"
    assert follow.applicants == draft.applicants and "Военный госпиталь" in follow.substance
    too_late = datetime(2027, 4, 13, tzinfo=UTC)
    assert [s.template.value for s in complaints.read_draft(_uow(app), lawyer, draft.id, too_late).next_steps] == [
        "prosecutor"]


def test_an_answer_needs_its_registration_and_a_refusal_opens_the_court_window(
        app: Dutycare, scenario: dict[str, User], tmp_path: Path) -> None:
    lawyer = scenario["lawyer"]
    raw = joint_input(app, lawyer, address_of_p03="ул. Ленина, 3")
    raw["addressees"] = [{"institution": "i-prosecutor-general", "template": "prosecutor"}]
    draft = complaints.draft_complaint(_uow(app), lawyer, raw)
    complaints.finalise(_uow(app), lawyer, app.vault(), app.letters(), draft.id)
    step = {"step": "sent", "date": "2026-12-01", "channel": "letter"}
    complaints.record_step(_uow(app), lawyer, draft.id, step, AT)
    with pytest.raises(InvalidInput) as again:
        complaints.record_step(_uow(app), lawyer, draft.id, step, AT)
    assert again.value.problems[0].field == "status"
    complaints.record_step(_uow(app), lawyer, draft.id, {"step": "registered", "date": "2026-12-02",
                                                         "institution": "i-prosecutor-general"}, AT)
    complaints.record_step(_uow(app), lawyer, draft.id, {"step": "extended", "date": "2026-12-20", "days": 30,
                                                         "notice": True, "institution": "i-prosecutor-general"}, AT)
    answer = tmp_path / "answer.pdf"
    answer.write_bytes(b"%PDF-1.4 the prosecutor says no")
    event = complaints.record_step(_uow(app), lawyer, draft.id, {
        "step": "answered", "date": "2027-01-20", "institution": "i-prosecutor-general", "outcome": "refused"},
        AT, answer, app.vault())
    assert event.type.value == "complaint_answered"
    evidence = [ev for evs in case_views.case_page(_uow(app), lawyer, "case-a", AT).evidence.values() for ev in evs]
    assert any(ev.event_id == event.id and ev.original_name == "answer.pdf" for ev in evidence)
    steps = complaints.read_draft(_uow(app), lawyer, draft.id, datetime(2027, 1, 25, tzinfo=UTC)).next_steps
    assert [s.template.value for s in steps] == ["prosecutor", "court"]
    assert steps[1].last_day is not None and steps[1].last_day.isoformat() == "2027-04-20"
    assert app.verify().ok
