"""Access records are evidence too: users, tokens, case restrictions and audit rows are entered in the access log
in the same transaction as each change, and `verify` catches any of them changed outside dutycare."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import delete, func, select, update

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage import schema
from dutycare.adapters.storage.access_store import SqlAuditLog, StaffSqlUnitOfWork
from dutycare.bootstrap import Dutycare
from dutycare.domain.errors import DomainError
from dutycare.scenario import load_scenario
from dutycare.service_layer import access_log, accounts, case_views, evidence, ledger_service, services
from dutycare.service_layer.accounts import SessionPolicy, User

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _uow(app: Dutycare) -> StaffSqlUnitOfWork:
    return StaffSqlUnitOfWork.like(app.uow())


@pytest.fixture
def people(app: Dutycare) -> dict[str, User]:
    """The scenario, a bootstrap coordinator, a partner named on a restricted case, a token; both logs signed."""
    services.import_case_file(app.uow(), load_scenario())
    boss, _ = accounts.add_user(_uow(app), "boss", "coordinator", NOW, by=None, password=PASSWORD)
    partner, _ = accounts.add_user(_uow(app), "pat", "partner", NOW, by=boss, password=PASSWORD)
    case_views.set_case_access(_uow(app), boss, "case-c", True, frozenset({partner.id}), NOW)
    accounts.create_token(_uow(app), partner.id, "nightly", NOW, by=boss)
    case_views.person_details(_uow(app), boss, "case-c", NOW)
    ledger_service.make_checkpoint(app.uow(), app.signer())
    access_log.make_checkpoint(app.uow(), app.signer(), NOW)
    return {"boss": boss, "partner": partner}


def _verify(app: Dutycare) -> ledger_service.Verification:
    return ledger_service.verify(app.uow(), app.trusted_key(), app.file_hasher())


def _problems(app: Dutycare) -> list[str]:
    result = _verify(app)
    assert not result.ok
    return result.access_messages()


def _tamper(app: Dutycare, *statements: object) -> None:
    with app.engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[call-overload]


def test_untouched_access_records_verify(app: Dutycare, people: dict[str, User]) -> None:
    result = _verify(app)
    assert result.ok, result.access_messages()
    assert result.access is not None and result.access.log.checkpoints_verified == 1
    # an organisation, two users, one token, one restricted case and five audit rows (two users added, the
    # restriction, the token, the identifying read)
    assert result.access.records_checked == 1 + 2 + 1 + 1 + 5


def test_a_promoted_partner_with_their_audit_rows_deleted_fails_verify(app: Dutycare,
                                                                      people: dict[str, User]) -> None:
    partner = people["partner"]
    _tamper(app, update(a.users).where(a.users.c.id == partner.id).values(role="coordinator"),
            delete(a.audit_log).where(a.audit_log.c.target_id == partner.id))
    problems = _problems(app)
    assert any(f"user {partner.id}: differs" in p for p in problems), problems
    assert sum("audit" in p and "missing from the database" in p for p in problems) == 1, problems


@pytest.mark.parametrize("table", ["restricted_cases", "case_access"])
def test_a_lifted_restriction_fails_verify(app: Dutycare, people: dict[str, User], table: str) -> None:
    rows = a.restricted_cases if table == "restricted_cases" else a.case_access
    _tamper(app, delete(rows).where(rows.c.case_id == "case-c"))
    assert any("case_access case-c" in p for p in _problems(app))


def test_a_restriction_lifted_through_dutycare_still_verifies(app: Dutycare, people: dict[str, User]) -> None:
    case_views.set_case_access(_uow(app), people["boss"], "case-c", False, frozenset(), NOW)
    result = _verify(app)
    assert result.ok, result.access_messages()


def test_a_restriction_added_outside_dutycare_fails_verify(app: Dutycare, people: dict[str, User]) -> None:
    _tamper(app, a.restricted_cases.insert().values(case_id="case-a", restricted_at="x", restricted_by="x"))
    assert any("case_access case-a: is stored but no access log entry records it" in p for p in _problems(app))


@pytest.mark.parametrize("change", ["edit", "delete", "insert"])
def test_any_audit_row_changed_outside_dutycare_fails_verify(app: Dutycare, people: dict[str, User],
                                                            change: str) -> None:
    with app.engine.connect() as conn:
        first = int(conn.execute(select(func.min(a.audit_log.c.seq))).scalar_one())
    log = a.audit_log
    statement = {"edit": update(log).where(log.c.seq == first).values(detail="nothing happened"),
                 "delete": delete(log).where(log.c.seq == first),
                 "insert": log.insert().values(at="2026-01-01T00:00:00.000000Z", user_id=None, user_name="x",
                                               action="export", target_kind="case", target_id="case-a",
                                               detail="")}[change]
    _tamper(app, statement)
    assert any(p.startswith("access log: audit ") for p in _problems(app))


@pytest.mark.parametrize("what", ["password_hash", "totp", "active", "token_hash", "token_revoked"])
def test_secrets_and_states_changed_outside_dutycare_fail_verify(app: Dutycare, people: dict[str, User],
                                                                what: str) -> None:
    partner = people["partner"]
    users, tokens = a.users, a.api_tokens
    statement = {
        "password_hash": update(users).where(users.c.id == partner.id).values(password_hash=accounts.hash_password(
            "an attacker's own password")),
        "totp": update(users).where(users.c.id == partner.id).values(totp_sealed=b"x" * 40),
        "active": update(users).where(users.c.id == partner.id).values(active=False),
        "token_hash": update(tokens).values(token_hash="0" * 64),
        "token_revoked": update(tokens).values(revoked_at="2026-12-01T12:00:00.000000Z"),
    }[what]
    _tamper(app, statement)
    kind = "token" if what.startswith("token") else "user"
    assert any(p.startswith(f"access log: {kind} ") for p in _problems(app))


def test_a_token_last_use_is_transient(app: Dutycare, people: dict[str, User]) -> None:
    _tamper(app, update(a.api_tokens).values(last_used_at="2026-12-01T12:00:00.000000Z"))
    assert _verify(app).ok


def test_rewriting_the_access_log_with_its_audit_rows_fails_against_its_checkpoint(
        app: Dutycare, people: dict[str, User]) -> None:
    with app.engine.connect() as conn:
        last = int(conn.execute(select(func.max(a.access_entries.c.seq))).scalar_one())
        seq = int(conn.execute(select(func.max(a.audit_log.c.seq))).scalar_one())
    _tamper(app, delete(a.access_entries).where(a.access_entries.c.seq == last),
            delete(a.audit_log).where(a.audit_log.c.seq == seq))
    assert any("missing from the log" in p for p in _problems(app))


def _audit_actions(app: Dutycare) -> list[str]:
    with app.engine.connect() as conn:
        return list(conn.execute(select(a.audit_log.c.action).order_by(a.audit_log.c.seq)).scalars())


def _counts(app: Dutycare) -> tuple[int, ...]:
    with app.engine.connect() as conn:
        return tuple(int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                     for table in (a.users, a.api_tokens, a.restricted_cases, a.audit_log, a.access_entries))


def _changes(app: Dutycare, people: dict[str, User]) -> Iterator[tuple[str, Callable[[], object]]]:
    boss, partner = people["boss"], people["partner"]
    secret = pyotp.random_base32()
    yield "user_created", lambda: accounts.add_user(_uow(app), "new", "analyst", NOW, by=boss)
    yield "user_changed", lambda: accounts.change_user(_uow(app), partner.id, NOW, by=boss, role="coordinator")
    yield "token_created", lambda: accounts.create_token(_uow(app), partner.id, "x", NOW, by=partner)
    token_id = accounts.list_tokens(_uow(app), partner.id)[0].id
    yield "token_revoked", lambda: accounts.revoke_token(_uow(app), token_id, NOW, by=boss)
    yield "case_access_changed", lambda: case_views.set_case_access(_uow(app), boss, "case-a", True, frozenset(),
                                                                    NOW)
    yield "second_factor_changed", lambda: accounts.enable_second_factor(
        _uow(app), partner.id, secret, pyotp.TOTP(secret).at(NOW), NOW)
    yield "password_changed", lambda: accounts.change_password(_uow(app), partner.id, PASSWORD,
                                                               "another long password", NOW)
    yield "sign_in", lambda: accounts.sign_in(_uow(app), "boss", PASSWORD, "test", NOW, SessionPolicy())
    yield "export", lambda: case_views.export_visible(_uow(app), boss, NOW)


def test_every_change_writes_its_audit_entry_and_log_entries_in_its_own_transaction(
        app: Dutycare, people: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> None:
    for action, change in _changes(app, people):
        before = _counts(app)
        with monkeypatch.context() as patched:
            def refuse(*args: object, **kwargs: object) -> int:
                raise DomainError("the audit log is full")
            patched.setattr(SqlAuditLog, "append", refuse)
            with pytest.raises(DomainError, match="audit log is full"):
                change()
        assert _counts(app) == before, f"{action} wrote something although its audit entry failed"
        change()
        assert _audit_actions(app)[-1] == action
        after = _counts(app)
        assert after[3] == before[3] + 1 and after[4] > before[4], action
    assert _verify(app).ok


def test_evidence_taken_out_is_audited_in_the_same_transaction(app: Dutycare, people: dict[str, User],
                                                               tmp_path: Path) -> None:
    scan = tmp_path / "scan.txt"
    scan.write_bytes(b"x-ray " * 100)
    ev = evidence.attach_evidence(app.uow(), app.vault(), case_id="case-b", event_id="ev-b-finding", path=scan)
    out = tmp_path / "out.txt"
    evidence.export_evidence(_uow(app), app.vault(), ev.id, out, viewer=people["boss"], at=NOW)
    assert out.read_bytes() == scan.read_bytes() and _audit_actions(app)[-1] == "evidence_taken_out"
    assert _verify(app).ok


def test_only_the_first_user_may_be_created_without_an_account(app: Dutycare) -> None:
    with pytest.raises(DomainError, match="must be a coordinator"):
        accounts.add_user(_uow(app), "first", "caseworker", NOW, by=None)
    boss, _ = accounts.add_user(_uow(app), "first", "coordinator", NOW, by=None)
    with pytest.raises(DomainError, match="--actor"):
        accounts.add_user(_uow(app), "second", "coordinator", NOW, by=None)
    clerk, _ = accounts.add_user(_uow(app), "clerk", "caseworker", NOW, by=boss)
    with pytest.raises(DomainError, match="only an active coordinator"):
        accounts.add_user(_uow(app), "third", "caseworker", NOW, by=clerk)
    assert [u.name for u in accounts.list_users(_uow(app))] == ["clerk", "first"]
    assert _audit_actions(app) == ["user_created"] * 2


def test_the_acting_user_must_exist_and_be_active(app: Dutycare) -> None:
    with pytest.raises(DomainError, match="no users yet"):
        accounts.acting_user(_uow(app), "boss")
    boss, _ = accounts.add_user(_uow(app), "boss", "coordinator", NOW, by=None)
    clerk, _ = accounts.add_user(_uow(app), "clerk", "caseworker", NOW, by=boss)
    assert accounts.acting_user(_uow(app), "clerk") == clerk
    with pytest.raises(DomainError, match="pass --actor"):
        accounts.acting_user(_uow(app), None)
    with pytest.raises(DomainError, match="not a user"):
        accounts.acting_user(_uow(app), "root")
    accounts.change_user(_uow(app), clerk.id, NOW, by=boss, active=False)
    with pytest.raises(DomainError, match="suspended"):
        accounts.acting_user(_uow(app), "clerk")


def test_a_database_from_before_the_access_log_enters_its_access_records_when_migrated(
        app: Dutycare, people: dict[str, User]) -> None:
    schema.downgrade(app.engine, "0005")
    schema.upgrade(app.engine)
    result = _verify(app)
    assert result.ok, result.access_messages()
    assert result.access is not None and result.access.log.size == result.access.records_checked
