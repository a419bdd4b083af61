"""Migrations go down and up again with real rows in the tables, on both back ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from dutycare.adapters.storage import schema
from dutycare.adapters.storage import tables as t
from dutycare.bootstrap import Dutycare, open_dutycare
from dutycare.scenario import load_scenario
from dutycare.service_layer import ledger_service, services


def _revisions() -> list[str]:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS))
    return [s.revision for s in reversed(list(ScriptDirectory.from_config(cfg).walk_revisions()))]


def test_every_revision_downgrades_and_upgrades_keeping_the_case_record(app: Dutycare) -> None:
    services.import_case_file(app.uow(), load_scenario())
    before = services.export_case_file(app.uow())
    revisions = _revisions()
    assert revisions[:3] == ["0001", "0002", "0003"]
    for target in reversed(revisions[:-1]):
        schema.downgrade(app.engine, target)
        assert schema.current_revision(app.engine) == target
        with app.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(t.events.c.id.table)).scalar_one() == 24
    assert "ledger_entries" not in inspect(app.engine).get_table_names()
    schema.upgrade(app.engine)
    assert schema.current_revision(app.engine) == schema.head_revision()
    reopened = open_dutycare(app.settings)
    try:
        assert services.export_case_file(reopened.uow()) == before
        ledger_service.make_checkpoint(reopened.uow(), reopened.signer())
    finally:
        reopened.close()


def test_downgrade_to_base_removes_every_table(app: Dutycare) -> None:
    schema.downgrade(app.engine, "base")
    assert set(inspect(app.engine).get_table_names()) <= {"alembic_version"}


def test_the_migrations_build_exactly_the_declared_tables_and_indexes(app: Dutycare) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with app.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), t.metadata)
    assert differences == []


def test_case_list_queries_use_the_case_list_indexes(app: Dutycare) -> None:
    if app.engine.dialect.name != "sqlite":
        return  # PostgreSQL chooses by its statistics; the indexes exist there too (the test above)
    services.import_case_file(app.uow(), load_scenario())
    with app.engine.connect() as conn:
        plan = " ".join(r[3] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM cases WHERE status = 'open' AND region = 'x' "
            "ORDER BY position LIMIT 50"))
    assert "ix_cases_region_status_position" in plan and "TEMP B-TREE" not in plan


def test_the_key_file_path_an_older_version_stored_is_removed(app: Dutycare) -> None:
    from alembic.config import Config

    from dutycare.adapters.storage import meta_store

    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS))
    before = ScriptDirectory.from_config(cfg).get_revision("0008").down_revision
    assert isinstance(before, str)
    schema.downgrade(app.engine, before)
    with app.engine.begin() as conn:
        meta_store.put(conn, "key_file", "/media/usb-stick/org.key")
    schema.upgrade(app.engine)
    with app.engine.connect() as conn:
        assert meta_store.get(conn, "key_file") is None
        assert meta_store.get(conn, "key_method") == "key_file"
    open_dutycare(app.settings).close()


def test_a_withdrawn_record_keeps_the_database_above_0010(app: Dutycare) -> None:

    from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
    from dutycare.service_layer import accounts, staff_records
    from dutycare.service_layer.access import Role

    services.import_case_file(app.uow(), load_scenario())
    now = datetime.now(UTC)
    boss, _ = accounts.add_user(StaffSqlUnitOfWork.like(app.uow()), "boss", Role.COORDINATOR.value, now, by=None,
                                password="correct horse battery staple")
    source = staff_records.add_source(StaffSqlUnitOfWork.like(app.uow()), boss,
                                      {"kind": "other", "title": "лишний", "reliability": "F"})
    staff_records.withdraw_source(StaffSqlUnitOfWork.like(app.uow()), boss, source.id, "внесён по ошибке", now)
    with pytest.raises(RuntimeError, match="withdrawn row"):
        schema.downgrade(app.engine, "0008")
    assert schema.current_revision(app.engine) == schema.head_revision()
    with app.engine.connect() as conn:
        assert conn.execute(select(t.sources.c.deleted_reason).where(t.sources.c.id == source.id)).scalar_one() \
            == "внесён по ошибке"


def test_the_search_postings_are_derived_from_the_words_an_older_version_indexed(app: Dutycare) -> None:
    from dutycare.adapters.storage.access_store import StaffSqlUnitOfWork
    from dutycare.adapters.storage.access_tables import search_postings
    from dutycare.service_layer import accounts, case_views
    from dutycare.service_layer.queries import CaseQuery

    services.import_case_file(app.uow(), load_scenario())
    with app.engine.connect() as conn:
        written = set(conn.execute(select(search_postings)).all())
    assert len(written) > 100
    schema.downgrade(app.engine, "0008")  # words per record only, read by word
    assert "search_postings" not in inspect(app.engine).get_table_names()
    schema.upgrade(app.engine)
    with app.engine.connect() as conn:
        assert set(conn.execute(select(search_postings)).all()) == written
    reopened = open_dutycare(app.settings)
    try:
        assert reopened.verify().ok
        boss, _ = accounts.add_user(StaffSqlUnitOfWork.like(reopened.uow()), "boss", "coordinator",
                                    datetime(2026, 12, 1, tzinfo=UTC), by=None)
        rows, total = case_views.list_cases(StaffSqlUnitOfWork.like(reopened.uow()), boss, CaseQuery(text="лечение"))
        assert total == len(rows) >= 2
    finally:
        reopened.close()


def test_publications_come_with_0013_and_go_with_its_downgrade(app: Dutycare) -> None:
    from dutycare.adapters.storage.pattern_store import SqlPublications

    record = {"id": "pub-1", "status": "draft", "title": "Отчёт", "lang": "ru", "filters": {},
              "population_sha256": "0" * 64, "population_size": 0, "files": [], "created_by": "anna",
              "created_at": "2026-12-01T00:00:00.000000Z", "approved_by": None, "approved_at": None}
    with app.engine.begin() as conn:
        SqlPublications(conn).add(record, {"report.pdf": b"%PDF-1.7"}, [])
    with app.engine.connect() as conn:
        assert SqlPublications(conn).record("pub-1") == record
        assert SqlPublications(conn).file("pub-1", "report.pdf") == b"%PDF-1.7"
    schema.downgrade(app.engine, "0008")
    assert not {"publications", "publication_files"} & set(inspect(app.engine).get_table_names())
    schema.upgrade(app.engine)
    with app.engine.connect() as conn:
        assert SqlPublications(conn).records() == []


KEYED_TABLES = ("search_terms", "search_postings", "event_cases", "event_sources")


def _stored_by_key(app: Dutycare) -> dict[str, bool]:
    with app.engine.connect() as conn:
        return {name: "WITHOUT ROWID" in conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"),
                                                      {"n": name}).scalar_one() for name in KEYED_TABLES}


@pytest.mark.parametrize("db_target", ["sqlite"], indirect=True)
def test_sqlite_keeps_the_search_and_link_tables_by_their_key_alone_from_0016(app: Dutycare) -> None:
    """Those tables are only their key: stored by it alone, a row is written once instead of twice."""
    services.import_case_file(app.uow(), load_scenario())
    assert _stored_by_key(app) == dict.fromkeys(KEYED_TABLES, True)

    def contents() -> dict[str, set[tuple[object, ...]]]:
        with app.engine.connect() as conn:
            return {name: set(conn.execute(text(f'SELECT * FROM "{name}"')).all()) for name in KEYED_TABLES}

    before = contents()
    assert all(before.values())
    schema.downgrade(app.engine, "0010")
    assert _stored_by_key(app) == dict.fromkeys(KEYED_TABLES, False)
    assert contents() == before
    schema.upgrade(app.engine)
    assert _stored_by_key(app) == dict.fromkeys(KEYED_TABLES, True)
    assert contents() == before
    reopened = open_dutycare(app.settings)
    try:
        assert reopened.verify().ok
    finally:
        reopened.close()
