"""The case list's region choices and pages, read in one statement each, name what the per-region and per-case
reading named, for every scope of the role table, on both back ends."""

from __future__ import annotations

from datetime import UTC, datetime

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.scenario import load_scenario
from dutycare.service_layer import accounts, case_views, services, staff_records
from dutycare.service_layer.access import User, sees_case
from dutycare.service_layer.queries import CaseQuery

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
REGIONS = ("Курская область", "Белгородская область", "Тверская область", "Омская область")


def _uow(app: Dutycare) -> StaffSqlUnitOfWork:
    return StaffSqlUnitOfWork.like(app.uow())


def _extra_cases() -> dict[str, object]:
    """A case alone in each of four regions (restricted to nobody, restricted naming the partner, open, and one
    withdrawn), and two more in a fifth region, one of them restricted."""
    cases = [{"id": f"case-r{n}", "person": "p-04", "title": f"Дело {n}", "status": "open", "region": region,
              "opened": "2024-05"} for n, region in enumerate(REGIONS)]
    cases += [{"id": f"case-s{n}", "person": "p-05", "title": f"Дело s{n}", "status": "closed",
               "region": "Омская область", "opened": "2024-06"} for n in range(2)]
    return {"format": "dutycare-case-file", "format_version": 1, "cases": cases}


def test_region_choices_name_the_regions_a_listed_case_is_in_for_every_role(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    services.import_case_file(app.uow(), _extra_cases())
    boss, _ = accounts.add_user(_uow(app), "boss", "coordinator", NOW, by=None)
    users: list[User] = [boss] + [accounts.add_user(_uow(app), role, role, NOW, by=boss)[0]
                                  for role in ("lawyer", "caseworker", "analyst", "partner")]
    partner = users[-1]
    case_views.set_case_access(_uow(app), boss, "case-r0", True, frozenset(), NOW)
    case_views.set_case_access(_uow(app), boss, "case-r1", True, frozenset({partner.id}), NOW)
    case_views.set_case_access(_uow(app), boss, "case-s0", True, frozenset(), NOW)
    case_views.set_case_access(_uow(app), boss, "case-b", False, frozenset({partner.id}), NOW)
    staff_records.withdraw_case(_uow(app), boss, "case-r3", "opened by mistake", NOW)
    every_region = case_views.filter_choices(_uow(app), boss).regions
    assert set(every_region) == {"Волгоградская область", *REGIONS[:3], "Омская область"}
    seen_by = {}
    for user in users:
        listed = tuple(r for r in every_region
                       if case_views.list_cases(_uow(app), user, CaseQuery(region=r), limit=1)[1] > 0)
        seen_by[user.role] = case_views.filter_choices(_uow(app), user).regions
        assert seen_by[user.role] == listed, user.role
        for query in (CaseQuery(text="дело"), CaseQuery(region="Омская область")):
            rows, total, choices = case_views.case_list_page(_uow(app), user, query, 2, 1)
            alone, alone_total = case_views.list_cases(_uow(app), user, query, 2, 1)
            assert (rows, total, choices) == (alone, alone_total, case_views.filter_choices(_uow(app), user))
    assert seen_by["lawyer"] == ("Волгоградская область", "Омская область", "Тверская область")
    assert seen_by["partner"] == ("Белгородская область", "Волгоградская область")


def test_a_page_of_a_search_lists_what_the_viewer_sees_in_case_list_order(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    services.import_case_file(app.uow(), _extra_cases())
    boss, _ = accounts.add_user(_uow(app), "boss", "coordinator", NOW, by=None)
    lawyer, _ = accounts.add_user(_uow(app), "lawyer", "lawyer", NOW, by=boss)
    partner, _ = accounts.add_user(_uow(app), "partner", "partner", NOW, by=boss)
    case_views.set_case_access(_uow(app), boss, "case-r0", True, frozenset(), NOW)
    case_views.set_case_access(_uow(app), boss, "case-r1", True, frozenset({partner.id}), NOW)
    everything, _ = case_views.list_cases(_uow(app), boss, CaseQuery(text="дело"), limit=200)
    assert len(everything) == 9  # the scenario's three and the six added
    for user in (boss, lawyer, partner):
        with _uow(app) as uow:
            access = {r.case.id: uow.views.case_access(r.case.id) for r in everything}
        wanted = [r.case.id for r in everything
                  if sees_case(user.role, user.id, access[r.case.id].restricted, access[r.case.id].user_ids)]
        for limit, offset in ((200, 0), (2, 0), (2, 2), (3, 4)):
            rows, total = case_views.list_cases(_uow(app), user, CaseQuery(text="дело"), limit, offset)
            assert ([r.case.id for r in rows], total) == (wanted[offset:offset + limit], len(wanted)), user.role
