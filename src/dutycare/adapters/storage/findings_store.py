"""Stored findings: replaced whenever the cases or institutions they concern change."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from dutycare.adapters.storage import tables as t
from dutycare.service_layer.ports import Findings
from dutycare.service_layer.queries import FindingRow

BATCH = 1000

# The findings of one case, as every case page reads them: two statements built once (see for_case).
_CASE_FINDING_KEYS = select(t.finding_cases.c.finding_key).where(t.finding_cases.c.case_id == bindparam("case_id"))
_CASE_FINDINGS = select(t.findings).where(t.findings.c.key.in_(_CASE_FINDING_KEYS)).order_by(t.findings.c.key)
_CASE_FINDING_LINKS = (select(t.finding_cases.c.finding_key, t.finding_cases.c.case_id)
                       .where(t.finding_cases.c.finding_key.in_(_CASE_FINDING_KEYS)))


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


class SqlFindings(Findings):
    """Findings on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _delete_keys(self, keys: Sequence[str]) -> None:
        for chunk in _chunks(keys):
            self.conn.execute(delete(t.finding_cases).where(t.finding_cases.c.finding_key.in_(chunk)))
            self.conn.execute(delete(t.findings).where(t.findings.c.key.in_(chunk)))

    def replace_for_cases(self, case_ids: Iterable[str], scopes: Iterable[str], rows: Iterable[FindingRow]) -> None:
        """Drop the findings of these scopes linked to these cases, then store the new ones."""
        ids, wanted = sorted(set(case_ids)), sorted(set(scopes))
        old: set[str] = set()
        for chunk in _chunks(ids):
            joined = t.finding_cases.join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
            q = (select(t.finding_cases.c.finding_key).select_from(joined)
                 .where(t.finding_cases.c.case_id.in_(chunk), t.findings.c.scope.in_(wanted)))
            old |= {r[0] for r in self.conn.execute(q)}
        self._store(sorted(old), rows)

    def replace_for_institutions(self, institution_ids: Iterable[str], scope: str, rows: Iterable[FindingRow]) -> None:
        """Drop the findings of a scope about these institutions, then store the new ones."""
        ids = sorted(set(institution_ids))
        old: set[str] = set()
        for chunk in _chunks(ids):
            q = select(t.findings.c.key).where(t.findings.c.institution_id.in_(chunk), t.findings.c.scope == scope)
            old |= {r[0] for r in self.conn.execute(q)}
        self._store(sorted(old), rows)

    def clear(self) -> None:
        """Drop every stored finding (before they are all evaluated again)."""
        self.conn.execute(delete(t.finding_cases))
        self.conn.execute(delete(t.findings))

    def store(self, rows: Iterable[FindingRow]) -> None:
        """Store these findings, replacing any stored under the same keys."""
        self._store([], rows)

    def _store(self, old_keys: Sequence[str], rows: Iterable[FindingRow]) -> None:
        new = {r.key: r for r in rows}
        self._delete_keys(sorted(set(old_keys) | set(new)))
        values = [{"key": r.key, "rule_id": r.rule_id, "scope": r.scope, "severity": r.severity,
                   "certainty": r.certainty, "institution_id": r.institution_id, "event_ids": json.dumps(r.event_ids),
                   "explanation_ru": r.explanation_ru, "explanation_en": r.explanation_en,
                   "evaluated_at": r.evaluated_at} for r in new.values()]
        links = [{"finding_key": r.key, "case_id": c} for r in new.values() for c in r.case_ids]
        for start in range(0, len(values), BATCH):
            self.conn.execute(t.findings.insert(), values[start:start + BATCH])
        for start in range(0, len(links), BATCH):
            self.conn.execute(t.finding_cases.insert(), links[start:start + BATCH])

    def for_cases(self, case_ids: Iterable[str]) -> list[FindingRow]:
        """Every stored finding linked to any of these cases."""
        keys: set[str] = set()
        for chunk in _chunks(sorted(set(case_ids))):
            q = select(t.finding_cases.c.finding_key).where(t.finding_cases.c.case_id.in_(chunk))
            keys |= {r[0] for r in self.conn.execute(q)}
        return self._rows(sorted(keys))

    def for_case(self, case_id: str) -> list[FindingRow]:
        """Every stored finding linked to one case, in two statements (what for_cases gives for one case)."""
        links: dict[str, list[str]] = {}
        for key, linked in self.conn.execute(_CASE_FINDING_LINKS, {"case_id": case_id}):
            links.setdefault(key, []).append(linked)
        return [_finding_row(r, links) for r in self.conn.execute(_CASE_FINDINGS, {"case_id": case_id}).mappings()]

    def of_rules_at_institutions(self, rule_ids: Iterable[str], institution_ids: Iterable[str]) -> list[FindingRow]:
        """The findings of these rules linked to a case that has an event at one of these institutions (the
        database does the joining, so only the findings themselves are read).

        One join that starts from the events at the institutions, through their cases to those cases' findings:
        written as "a finding whose case is in (the cases at the institutions)", SQLite without statistics started
        from every finding of the rules instead, and probed each against each case, 1.0 s for one hospital of
        20,000 cases (seed 5) against 0.04 s. Imports and ordinary writes ask it for each speaking institution.
        """
        rules, places = sorted(set(rule_ids)), sorted(set(institution_ids))
        if not rules or not places:
            return []
        q = (select(t.finding_cases.c.finding_key).distinct()
             .select_from(t.events)
             .join(t.event_cases, t.event_cases.c.event_id == t.events.c.id)
             .join(t.finding_cases, t.finding_cases.c.case_id == t.event_cases.c.case_id)
             .join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
             .where(t.events.c.institution_id.in_(places), t.events.c.deleted_at.is_(None),
                    t.findings.c.rule_id.in_(rules)))
        return self._rows(sorted(r[0] for r in self.conn.execute(q)))

    def all(self) -> list[FindingRow]:
        """Every stored finding."""
        return self._rows([r[0] for r in self.conn.execute(select(t.findings.c.key))])

    def case_ids_with_rule(self, rule_id: str) -> set[str]:
        """The cases that have a finding of one rule (for case-list filters)."""
        q = (select(t.finding_cases.c.case_id).join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
             .where(t.findings.c.rule_id == rule_id))
        return {r[0] for r in self.conn.execute(q)}

    def _rows(self, keys: Sequence[str]) -> list[FindingRow]:
        links: dict[str, list[str]] = {}
        rows = []
        for chunk in _chunks(keys):
            for key, case_id in self.conn.execute(select(t.finding_cases.c.finding_key, t.finding_cases.c.case_id)
                                                  .where(t.finding_cases.c.finding_key.in_(chunk))):
                links.setdefault(key, []).append(case_id)
            rows += list(self.conn.execute(select(t.findings).where(t.findings.c.key.in_(chunk))
                                           .order_by(t.findings.c.key)).mappings())
        return [_finding_row(r, links) for r in rows]


def _finding_row(r: Any, links: dict[str, list[str]]) -> FindingRow:
    return FindingRow(r["key"], r["rule_id"], r["scope"], r["severity"], r["certainty"],
                      tuple(sorted(links.get(r["key"], []))), tuple(json.loads(r["event_ids"])),
                      r["institution_id"], r["explanation_ru"], r["explanation_en"], r["evaluated_at"])
