"""Pattern counts as GROUP BY queries over the cases a viewer sees, and the stored publications."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, case, cast, extract, func, select, update

from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.case_filter import filtered_cases, shape_of
from dutycare.domain.events import EventType
from dutycare.service_layer.access import CaseScope, User
from dutycare.service_layer.ports import PatternQueries, Publications
from dutycare.service_layer.queries import CaseQuery, GroupCount

REFUSED = EventType.TREATMENT_REFUSED.value


def _rule_cases() -> Any:
    return (select(t.finding_cases.c.case_id).join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
            .where(t.findings.c.rule_id == bindparam("measure_rule")))


def _refused_cases() -> Any:
    return (select(t.event_cases.c.case_id).join(t.events, t.events.c.id == t.event_cases.c.event_id)
            .where(t.events.c.type == REFUSED, t.events.c.deleted_at.is_(None)))


def _among(column: Any, ids: Any) -> tuple[Any, ...]:
    """The condition that a case id is one of ``ids`` (none when ids is None: every case counts)."""
    return () if ids is None else (column.in_(ids),)


class SqlPatternQueries(PatternQueries):
    """Pattern counts on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def counts(self, viewer: User, query: CaseQuery, term_digests: list[str] | None, grouping: str,
               institution_type: str | None, rule_id: str | None) -> list[GroupCount]:
        """Per group: cases and cases with the measure."""
        shaped = shape_of(viewer, query, term_digests)
        if shaped is None:
            return []
        shape, values = shaped
        values |= {"measure_rule": rule_id, "institution_type": institution_type}
        # Every case, as a coordinator without filters sees them: no need to check each link against the list.
        everything = shape.scope is CaseScope.EVERY_CASE and not (
            shape.status or shape.region or shape.institution or shape.date_from or shape.date_to or shape.rule
            or shape.terms)
        ids = None if everything else filtered_cases(shape, select(t.cases.c.id))
        if institution_type is not None:
            statement = self._by_institution(ids, rule_id)
        elif grouping == "rule":
            statement = (select(t.findings.c.rule_id, func.count(func.distinct(t.finding_cases.c.case_id)),
                                func.count(func.distinct(t.finding_cases.c.case_id)))
                         .join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
                         .where(*_among(t.finding_cases.c.case_id, ids)).group_by(t.findings.c.rule_id))
        elif grouping == "region":
            statement = self._by_region(ids, rule_id)
        else:
            return [GroupCount(f"{int(y):04d}-{int(m):02d}", int(n), int(w or 0))
                    for y, m, n, w in self.conn.execute(self._by_month(ids, rule_id), values) if y is not None]
        return [GroupCount(str(k), int(n), int(w or 0)) for k, n, w in self.conn.execute(statement, values)
                if k is not None]

    @staticmethod
    def _by_institution(ids: Any, rule_id: str | None) -> Any:
        e, ec = t.events, t.event_cases
        joined = (ec.join(e, e.c.id == ec.c.event_id)
                  .join(t.institutions, t.institutions.c.id == e.c.institution_id))
        live_here = (e.c.deleted_at.is_(None), t.institutions.c.type == bindparam("institution_type"),
                     *_among(ec.c.case_id, ids))
        if rule_id is None:  # one pass: distinct cases per institution, and those refused there
            refused_case = case((e.c.type == REFUSED, ec.c.case_id), else_=None)
            return (select(e.c.institution_id, func.count(func.distinct(ec.c.case_id)),
                           func.count(func.distinct(refused_case)))
                    .select_from(joined).where(*live_here).group_by(e.c.institution_id).order_by(e.c.institution_id))
        refused = func.max(case((e.c.type == REFUSED, 1), else_=0))
        pairs = (select(ec.c.case_id, e.c.institution_id.label("key"), refused.label("hit"))
                 .select_from(ec.join(e, e.c.id == ec.c.event_id)
                              .join(t.institutions, t.institutions.c.id == e.c.institution_id))
                 .where(e.c.deleted_at.is_(None), t.institutions.c.type == bindparam("institution_type"),
                        *_among(ec.c.case_id, ids))
                 .group_by(ec.c.case_id, e.c.institution_id).subquery())
        hit = pairs.c.hit if rule_id is None else case((pairs.c.case_id.in_(_rule_cases()), 1), else_=0)
        return select(pairs.c.key, func.count(), func.sum(hit)).group_by(pairs.c.key).order_by(pairs.c.key)

    @staticmethod
    def _by_region(ids: Any, rule_id: str | None) -> Any:
        c = t.cases.c
        measured = _rule_cases() if rule_id is not None else _refused_cases()
        hit = case((c.id.in_(measured), 1), else_=0)
        return (select(c.region, func.count(), func.sum(hit)).where(*_among(c.id, ids))
                .group_by(c.region).order_by(c.region))

    @staticmethod
    def _by_month(ids: Any, rule_id: str | None) -> Any:
        measured = _rule_cases() if rule_id is not None else _refused_cases()
        e, ec = t.events, t.event_cases
        first = (select(ec.c.case_id, func.min(e.c.date_start).label("first"))
                 .join(e, e.c.id == ec.c.event_id).where(e.c.deleted_at.is_(None), *_among(ec.c.case_id, ids))
                 .group_by(ec.c.case_id).subquery())
        hit = case((first.c.case_id.in_(measured), 1), else_=0)
        year = cast(extract("year", first.c.first), Integer)
        month = cast(extract("month", first.c.first), Integer)
        return select(year, month, func.count(), func.sum(hit)).group_by(year, month).order_by(year, month)

    def population_size(self, viewer: User, query: CaseQuery, term_digests: list[str] | None) -> int:
        """How many cases the viewer sees that match the filters."""
        shaped = shape_of(viewer, query, term_digests)
        if shaped is None:
            return 0
        shape, values = shaped
        ids = filtered_cases(shape, select(t.cases.c.id)).subquery()
        return int(self.conn.execute(select(func.count()).select_from(ids), values).scalar_one())

    def population(self, viewer: User, query: CaseQuery, term_digests: list[str] | None) -> list[str]:
        """The ids of those cases, sorted."""
        shaped = shape_of(viewer, query, term_digests)
        if shaped is None:
            return []
        shape, values = shaped
        ids = filtered_cases(shape, select(t.cases.c.id)).order_by(t.cases.c.id)
        return [r[0] for r in self.conn.execute(ids, values)]

    def combination_count(self, viewer: User, region: str | None, unit_id: str,
                          age_band: tuple[int, int] | None) -> int:
        """How many cases the viewer sees share a region, an event at a unit and a person's age band."""
        shaped = shape_of(viewer, CaseQuery(), None)
        if shaped is None:
            return 0
        shape, values = shaped
        c, p = t.cases.c, t.people.c
        at_unit = (select(t.event_cases.c.case_id).join(t.events, t.events.c.id == t.event_cases.c.event_id)
                   .where(t.events.c.institution_id == unit_id, t.events.c.deleted_at.is_(None)))
        q = (filtered_cases(shape, select(func.count()).select_from(t.cases.join(t.people, p.id == c.person_id)))
             .where(c.id.in_(at_unit)))
        q = q.where(c.region == region) if region is not None else q.where(c.region.is_(None))
        q = q.where(p.age.between(*age_band)) if age_band is not None else q.where(p.age.is_(None))
        return int(self.conn.execute(q, values).scalar_one())


_PUBLICATION_COLUMNS = ("id", "status", "title", "lang", "filters", "population_sha256", "population_size",
                        "files", "created_by", "created_at", "approved_by", "approved_at")


class SqlPublications(Publications):
    """Publications and their files on the unit of work's connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, record: dict[str, Any], files: dict[str, bytes], population: list[str]) -> None:
        """Store a new publication, its files and the cases it covers."""
        position = self.conn.execute(select(func.count()).select_from(t.publications)).scalar_one()
        row = {k: record.get(k) for k in _PUBLICATION_COLUMNS}
        row["filters"] = json.dumps(record["filters"], ensure_ascii=False, sort_keys=True)
        row["files"] = json.dumps(record["files"], ensure_ascii=False, sort_keys=True)
        self.conn.execute(t.publications.insert(), {**row, "position": position, "version": 1,
                                                    "population": json.dumps(population)})
        self.conn.execute(t.publication_files.insert(),
                          [{"publication_id": record["id"], "name": n, "content": b} for n, b in files.items()])

    def update(self, publication_id: str, **values: object) -> None:
        """Change a publication's columns (its status, who approved it and when), counting its version."""
        self.conn.execute(update(t.publications).where(t.publications.c.id == publication_id)
                          .values(**values, version=t.publications.c.version + 1))

    def _record(self, row: Any) -> dict[str, Any]:
        out = {k: row[k] for k in _PUBLICATION_COLUMNS}
        out["filters"] = json.loads(row["filters"])
        out["files"] = json.loads(row["files"])
        return out

    def record(self, publication_id: str) -> dict[str, Any] | None:
        """A publication as the ledger covers it, or None."""
        row = self.conn.execute(select(t.publications).where(t.publications.c.id == publication_id)).mappings().first()
        return None if row is None else self._record(row)

    def records(self) -> list[dict[str, Any]]:
        """Every publication, newest first."""
        rows = self.conn.execute(select(t.publications).order_by(t.publications.c.position.desc())).mappings()
        return [self._record(r) for r in rows]

    def file(self, publication_id: str, name: str) -> bytes | None:
        """One published file's bytes, or None."""
        f = t.publication_files.c
        found = self.conn.execute(select(f.content).where(f.publication_id == publication_id, f.name == name)).first()
        return None if found is None else bytes(found[0])

    def population(self, publication_id: str) -> list[str]:
        """The case ids a publication covers."""
        found = self.conn.execute(select(t.publications.c.population)
                                  .where(t.publications.c.id == publication_id)).first()
        return [] if found is None else list(json.loads(found[0]))
