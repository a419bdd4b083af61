"""The per-case posting lists of the search index follow every write, count a common word only so far, and are
checked by verification, on both back ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from dutycare.adapters.storage import access_store
from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.adapters.storage.access_tables import search_postings
from dutycare.bootstrap import Dutycare
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, case_views, event_writes, services
from dutycare.service_layer.accounts import User
from dutycare.service_layer.queries import CaseQuery

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
NOTE = {"id": "ev-cardio", "type": "fitness_decision", "date": "2024-02-15", "cases": ["case-b"],
        "institution": "i-commission", "sources": [{"source": "s-02"}],
        "summary": "Кардиолог записал противопоказание", "details": {"category": "В"}}


def _uow(app: Dutycare) -> StaffSqlUnitOfWork:
    return StaffSqlUnitOfWork.like(app.uow())


def _coordinator(app: Dutycare) -> User:
    user, _ = accounts.add_user(_uow(app), "boss", "coordinator", NOW, by=None)
    return user


def _found(app: Dutycare, user: User, text: str, **filters: str) -> tuple[list[str], int]:
    rows, total = case_views.list_cases(_uow(app), user, CaseQuery(text=text, **filters))  # type: ignore[arg-type]
    return [r.case.id for r in rows], total


def test_an_event_s_words_follow_its_cases_when_it_is_moved_and_leave_when_it_is_withdrawn(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    boss = _coordinator(app)
    assert _found(app, boss, "кардиолог") == ([], 0)
    event_writes.record_event(app.uow(), NOTE)
    assert _found(app, boss, "кардиолога") == (["case-b"], 1)
    event_writes.update_event(app.uow(), "ev-cardio", NOTE | {"cases": ["case-c"]})
    assert _found(app, boss, "Кардиолог противопоказание") == (["case-c"], 1)
    assert app.verify().ok
    event_writes.delete_event(app.uow(), "ev-cardio", "entered by mistake")
    assert _found(app, boss, "кардиолог") == ([], 0)
    assert app.verify().ok


def test_a_search_counts_only_up_to_its_limit_and_says_so(app: Dutycare, monkeypatch: pytest.MonkeyPatch) -> None:
    services.import_case_file(app.uow(), load_scenario())
    boss = _coordinator(app)
    ids, total = _found(app, boss, "лечение")
    assert total == len(ids) >= 2 and case_views.total_is_exact(CaseQuery(text="лечение"), total)
    monkeypatch.setattr(access_store, "SEARCH_COUNT_LIMIT", 1)
    monkeypatch.setattr(case_views, "SEARCH_COUNT_LIMIT", 1)
    capped_ids, capped = _found(app, boss, "лечение")
    assert capped_ids == ids, "the page itself is whole"
    assert capped == 2 and not case_views.total_is_exact(CaseQuery(text="лечение"), capped)
    assert case_views.total_is_exact(CaseQuery(), 5), "a list without search words is counted exactly"


def test_verification_finds_a_removed_posting(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    assert app.verify().ok
    with app.engine.begin() as conn:
        term, _position, case_id, kind, record_id = conn.execute(select(search_postings).limit(1)).one()
        conn.execute(delete(search_postings).where(search_postings.c.term == term,
                                                   search_postings.c.case_id == case_id,
                                                   search_postings.c.kind == kind,
                                                   search_postings.c.record_id == record_id))
        assert conn.execute(select(func.count()).select_from(search_postings)).scalar_one() > 0
    problems = [p.message for p in app.verify().record_problems]
    assert any("search posting" in p for p in problems), problems
