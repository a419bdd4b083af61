"""Complaint drafts in SQL: one sealed blob per draft, with its cases in a link table for visibility."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.mapping import Sealer
from dutycare.domain.complaint_drafts import ComplaintDraft, draft_from_record, draft_to_record
from dutycare.domain.errors import NotFound
from dutycare.domain.limits import storable_text
from dutycare.service_layer.ports import ComplaintDrafts
from dutycare.service_layer.queries import RecordState, RowFacts

KIND = "complaint_draft"
_SEALED_OUT = ("id", "status", "version")  # kept in plain columns, the rest sealed


class SqlComplaintDrafts(ComplaintDrafts):
    """The complaint-draft repository for SQLite and PostgreSQL."""

    def __init__(self, connection: Connection, sealer: Sealer) -> None:
        self.conn = connection
        self.sealer = sealer

    def _row(self, d: ComplaintDraft, position: int) -> dict[str, Any]:
        record = draft_to_record(d)
        secret = {k: v for k, v in record.items() if k not in _SEALED_OUT}
        return {"id": d.id, "position": position, "version": d.version, "status": d.status.value,
                "complaint_event_id": d.complaint_event_id,
                "sealed": self.sealer.seal(KIND, d.id, d.version, secret)}

    def _links(self, d: ComplaintDraft) -> None:
        self.conn.execute(t.complaint_draft_cases.delete().where(t.complaint_draft_cases.c.draft_id == d.id))
        self.conn.execute(t.complaint_draft_cases.insert(),
                          [{"draft_id": d.id, "case_id": c, "ordinal": i} for i, c in enumerate(d.case_ids)])

    def add(self, draft: ComplaintDraft) -> None:
        """Insert a new draft (its id must be new)."""
        position = int(self.conn.execute(
            select(func.coalesce(func.max(t.complaint_drafts.c.position), -1))).scalar_one()) + 1
        self.conn.execute(t.complaint_drafts.insert(), [self._row(draft, position)])
        self._links(draft)

    def replace(self, draft: ComplaintDraft) -> None:
        """Store a new version of a draft (the caller has raised its version)."""
        position = self.conn.execute(select(t.complaint_drafts.c.position).where(
            t.complaint_drafts.c.id == draft.id)).scalar()
        if position is None:
            raise NotFound(f"There is no complaint '{draft.id}'.")
        self.conn.execute(t.complaint_drafts.update().where(t.complaint_drafts.c.id == draft.id)
                          .values(**self._row(draft, int(position))))
        self._links(draft)

    def _from_row(self, row: Any, cases: tuple[str, ...]) -> ComplaintDraft:
        secret = self.sealer.open(KIND, row["id"], row["version"], row["sealed"])
        return draft_from_record({**secret, "id": row["id"], "status": row["status"], "version": row["version"],
                                  "cases": list(cases) or secret.get("cases", [])})

    def _cases(self, draft_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        ids = list(draft_ids)
        found: dict[str, list[str]] = {i: [] for i in ids}
        q = (select(t.complaint_draft_cases).where(t.complaint_draft_cases.c.draft_id.in_(ids))
             .order_by(t.complaint_draft_cases.c.ordinal))
        for r in self.conn.execute(q).mappings():
            found[r["draft_id"]].append(r["case_id"])
        return {k: tuple(v) for k, v in found.items()}

    def get(self, draft_id: str) -> ComplaintDraft:
        """One draft; NotFound when there is none."""
        row = self.conn.execute(select(t.complaint_drafts).where(t.complaint_drafts.c.id == draft_id)).mappings() \
            .first() if storable_text(draft_id) else None
        if row is None:
            raise NotFound(f"There is no complaint '{draft_id}'.")
        return self._from_row(row, self._cases([draft_id])[draft_id])

    def of_cases(self, case_ids: Iterable[str]) -> list[ComplaintDraft]:
        """Every draft naming any of these cases, oldest first."""
        ids = select(t.complaint_draft_cases.c.draft_id).where(t.complaint_draft_cases.c.case_id.in_(list(case_ids)))
        rows = list(self.conn.execute(select(t.complaint_drafts).where(t.complaint_drafts.c.id.in_(ids))
                                      .order_by(t.complaint_drafts.c.position)).mappings())
        cases = self._cases(r["id"] for r in rows)
        return [self._from_row(r, cases[r["id"]]) for r in rows]

    def states(self) -> Iterator[RecordState]:
        """Every draft's full state (or why it cannot be read), for ledger verification."""
        rows = list(self.conn.execute(select(t.complaint_drafts).order_by(t.complaint_drafts.c.position)).mappings())
        cases = self._cases(r["id"] for r in rows)
        for row in rows:
            try:
                yield RecordState(KIND, row["id"], cases[row["id"]],
                                  draft_to_record(self._from_row(row, cases[row["id"]])))
            except Exception as exc:  # a verifier reports every kind of damage instead of stopping at the first
                yield RecordState(KIND, row["id"], cases[row["id"]], None, f"{type(exc).__name__}: {exc}")

    def row_facts(self) -> Iterator[RowFacts]:
        """Every draft's position and version, for ledger verification."""
        c = t.complaint_drafts.c
        for row in self.conn.execute(select(c.id, c.position, c.version).order_by(c.id)):
            yield RowFacts(KIND, row[0], row[1], row[2], {})
