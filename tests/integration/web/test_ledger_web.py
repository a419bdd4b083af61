"""What the staff app shows of the ledger is the signed note; a damaged search index is an error, in Russian."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from web_helpers import Staff, as_user

from dutycare.adapters.storage import tables as t
from dutycare.service_layer import ledger_service


def test_ledger_api_shows_the_signed_note_not_the_columns(web: FastAPI, client: TestClient,
                                                          staff: dict[str, Staff]) -> None:
    dc = web.state.web.dutycare
    cp, _ = ledger_service.make_checkpoint(dc.uow(), dc.signer(), dc.checkpoint_folder())
    with dc.engine.begin() as conn:
        conn.execute(update(t.checkpoints).values(root=b"\x00" * 32, at="2020-01-01T00:00:00+00:00"))
    shown = client.get("/api/v1/ledger", headers=staff["coordinator"].bearer).json()["latest_checkpoint"]
    assert shown["root"] == cp.root.hex() and shown["at"] == cp.time.isoformat()


def test_search_with_its_key_deleted_says_the_database_was_altered(web: FastAPI, client: TestClient,
                                                                   staff: dict[str, Staff]) -> None:
    dc = web.state.web.dutycare
    with dc.engine.begin() as conn:
        conn.execute(delete(t.meta).where(t.meta.c.key == "search_index_key"))
    api = client.get("/api/v1/cases?q=травма", headers=staff["lawyer"].bearer)
    assert api.status_code == 409 and "Ключ поискового индекса отсутствует" in api.json()["error"]
    page = as_user(client, staff["lawyer"]).get("/cases?q=травма")
    assert page.status_code == 409 and "Ключ поискового индекса отсутствует" in page.text
