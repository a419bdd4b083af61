"""The staff unit of work is one SQL unit of work: core repositories and access tables share its transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import NotFound
from dutycare.service_layer import accounts, audit, case_views
from dutycare.service_layer.access import Role, User
from dutycare.service_layer.ports import StaffUnitOfWork

AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _staff(app: Dutycare, actor: str | None = None) -> StaffSqlUnitOfWork:
    base = app.uow()
    if actor is not None:
        base.actor = actor
    return StaffSqlUnitOfWork.like(base)


def test_built_like_the_core_unit_it_replaces(app: Dutycare) -> None:
    uow = _staff(app, "web:alice")
    assert isinstance(uow, StaffUnitOfWork)
    assert (uow.actor, uow.rulebook, uow.sealer) == ("web:alice", app.rulebook, app.sealer)
    with uow:
        assert uow.access.users() == [] and uow.records.count("case") == 0


def test_access_and_audit_roll_back_with_the_unit(app: Dutycare) -> None:
    alice = User("u-1", "org", "alice", "Alice", Role.COORDINATOR, True, accounts.iso(AT))
    uow = _staff(app)
    with uow:
        uow.access.ensure_organisation("org", "org", accounts.iso(AT))
        uow.access.add_user(alice, accounts.hash_password("a long enough password"))
        audit.note(uow, alice, audit.AuditAction.USER_CREATED, "user", alice.id, AT)
        assert sum(1 for _ in uow.access_log.entries()) == 1  # the audit row entered in the access log
        # leaving without commit() discards the user, the audit row and its access log entry together
    with _staff(app) as again:
        assert again.audit.entries(10, 0) == ([], 0)
        assert again.access.users() == [] and list(again.access_log.entries()) == []


def test_services_run_on_it_and_commit_once(app: Dutycare) -> None:
    user, password = accounts.add_user(_staff(app), "alice", Role.COORDINATOR.value, AT, by=None)
    assert password is not None
    assert [u.name for u in accounts.list_users(_staff(app))] == ["alice"]
    entries, total = audit.list_entries(_staff(app))
    assert total == 1 and entries[0].user_name == "alice"
    with pytest.raises(NotFound, match="no-such-case"):
        case_views.case_page(_staff(app), user, "no-such-case", AT)
