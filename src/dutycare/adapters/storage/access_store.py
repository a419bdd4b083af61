"""Storage of the staff application on SQLite and PostgreSQL: users, sessions, tokens, audit, case access,
and the staff case list (which joins the case record with restrictions, findings and the search index)."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage import mapping as m
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.search_store import SqlSearchIndex
from dutycare.adapters.storage.unit_of_work import SqlUnitOfWork
from dutycare.domain import vocabulary as v
from dutycare.service_layer.access import CASE_SCOPE, CaseScope, Role
from dutycare.service_layer.accounts import ApiToken, User
from dutycare.service_layer.audit import AuditEntry
from dutycare.service_layer.case_views import Access, CaseQuery, FilterChoices
from dutycare.service_layer.queries import CaseRow
from dutycare.service_layer.unit_of_work import UnitOfWork

TOTP_KIND = "user-totp"


def _user(row: Any) -> User:
    return User(row["id"], row["organisation_id"], row["name"], row["display_name"], Role(row["role"]),
                bool(row["active"]), row["created_at"], row["totp_sealed"] is not None)


def _token(row: Any) -> ApiToken:
    return ApiToken(row["id"], row["user_id"], row["label"], row["created_at"], row["last_used_at"],
                    row["revoked_at"])


class SqlAccessStore:
    """Users, sessions, API tokens and failed sign-ins."""

    def __init__(self, conn: Connection, sealer: m.Sealer) -> None:
        self.conn = conn
        self.sealer = sealer

    def ensure_organisation(self, org_id: str, name: str, at: str) -> None:
        """Create the organisation if it does not exist."""
        if self.conn.execute(select(a.organisations.c.id).where(a.organisations.c.id == org_id)).first() is None:
            self.conn.execute(insert(a.organisations).values(id=org_id, name=name, created_at=at))

    def add_user(self, user: User, password_hash: str) -> None:
        """Insert a user."""
        self.conn.execute(insert(a.users).values(
            id=user.id, organisation_id=user.organisation_id, name=user.name, display_name=user.display_name,
            role=user.role.value, password_hash=password_hash, totp_sealed=None, totp_version=0, active=user.active,
            created_at=user.created_at))

    def user(self, user_id: str) -> User | None:
        """One user by id."""
        row = self.conn.execute(select(a.users).where(a.users.c.id == user_id)).mappings().first()
        return None if row is None else _user(row)

    def user_by_name(self, name: str) -> tuple[User, str] | None:
        """One user by name, with the password hash."""
        row = self.conn.execute(select(a.users).where(a.users.c.name == name)).mappings().first()
        return None if row is None else (_user(row), row["password_hash"])

    def users(self) -> list[User]:
        """Every user."""
        return [_user(r) for r in self.conn.execute(select(a.users).order_by(a.users.c.name)).mappings()]

    def update_user(self, user_id: str, **values: object) -> None:
        """Change columns of a user."""
        self.conn.execute(update(a.users).where(a.users.c.id == user_id).values(**values))

    def totp_secret(self, user_id: str) -> str | None:
        """The user's TOTP secret, unsealed, or None."""
        row = self.conn.execute(select(a.users.c.totp_sealed, a.users.c.totp_version)
                                .where(a.users.c.id == user_id)).first()
        if row is None or row.totp_sealed is None:
            return None
        return str(self.sealer.open(TOTP_KIND, user_id, int(row.totp_version), bytes(row.totp_sealed))["secret"])

    def set_totp_secret(self, user_id: str, secret: str | None) -> None:
        """Seal and keep a TOTP secret (a new version each time), or remove it."""
        version = int(self.conn.execute(select(a.users.c.totp_version).where(a.users.c.id == user_id))
                      .scalar_one()) + 1
        sealed = None if secret is None else self.sealer.seal(TOTP_KIND, user_id, version, {"secret": secret})
        self.update_user(user_id, totp_sealed=sealed, totp_version=version)

    def add_session(self, token_hash: str, user_id: str, csrf: str, second_factor_done: bool, at: str) -> None:
        """Open a session."""
        self.conn.execute(insert(a.sessions).values(token_hash=token_hash, user_id=user_id, csrf=csrf,
                                                    second_factor_done=second_factor_done, created_at=at,
                                                    last_seen_at=at))

    def session(self, token_hash: str) -> tuple[str, str, bool, str, str] | None:
        """(user id, CSRF token, second factor done, created, last seen) of a session."""
        s = a.sessions.c
        row = self.conn.execute(select(s.user_id, s.csrf, s.second_factor_done, s.created_at, s.last_seen_at)
                                .where(s.token_hash == token_hash)).first()
        return None if row is None else (row[0], row[1], bool(row[2]), row[3], row[4])

    def touch_session(self, token_hash: str, at: str, second_factor_done: bool | None = None) -> None:
        """Note activity on a session (and, optionally, a completed second factor)."""
        values: dict[str, object] = {"last_seen_at": at}
        if second_factor_done is not None:
            values["second_factor_done"] = second_factor_done
        self.conn.execute(update(a.sessions).where(a.sessions.c.token_hash == token_hash).values(**values))

    def end_session(self, token_hash: str) -> None:
        """Delete a session."""
        self.conn.execute(delete(a.sessions).where(a.sessions.c.token_hash == token_hash))

    def end_sessions_of(self, user_id: str) -> None:
        """Delete every session of a user."""
        self.conn.execute(delete(a.sessions).where(a.sessions.c.user_id == user_id))

    def add_token(self, token: ApiToken, token_hash: str) -> None:
        """Keep a new API token's digest."""
        self.conn.execute(insert(a.api_tokens).values(id=token.id, user_id=token.user_id, token_hash=token_hash,
                                                      label=token.label, created_at=token.created_at))

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The token with this digest."""
        row = self.conn.execute(select(a.api_tokens).where(a.api_tokens.c.token_hash == token_hash)).mappings().first()
        return None if row is None else _token(row)

    def tokens(self, user_id: str | None = None) -> list[ApiToken]:
        """API tokens, of one user or all."""
        q = select(a.api_tokens)
        if user_id is not None:
            q = q.where(a.api_tokens.c.user_id == user_id)
        return [_token(r) for r in self.conn.execute(q).mappings()]

    def update_token(self, token_id: str, **values: object) -> None:
        """Change columns of a token."""
        self.conn.execute(update(a.api_tokens).where(a.api_tokens.c.id == token_id).values(**values))

    def add_failure(self, key: str, at: str) -> None:
        """Count a failed sign-in."""
        self.conn.execute(insert(a.login_failures).values(key=key, at=at))

    def failures_since(self, key: str, since: str) -> int:
        """Failed sign-ins under a key since a time."""
        f = a.login_failures.c
        return int(self.conn.execute(select(func.count()).where(f.key == key, f.at >= since)).scalar_one())

    def clear_failures(self, key: str) -> None:
        """Forget failed sign-ins under a key."""
        self.conn.execute(delete(a.login_failures).where(a.login_failures.c.key == key))


class SqlAuditLog:
    """The audit log table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, at: str, user_id: str | None, user_name: str, action: str, target_kind: str, target_id: str,
               detail: str) -> None:
        """Append an entry."""
        self.conn.execute(insert(a.audit_log).values(at=at, user_id=user_id, user_name=user_name, action=action,
                                                     target_kind=target_kind, target_id=target_id, detail=detail))

    def entries(self, limit: int, offset: int, action: str | None = None) -> tuple[list[AuditEntry], int]:
        """A page of entries, newest first, and the total."""
        q = select(a.audit_log)
        if action:
            q = q.where(a.audit_log.c.action == action)
        total = int(self.conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
        rows = self.conn.execute(q.order_by(a.audit_log.c.seq.desc()).limit(limit).offset(offset)).mappings()
        return [AuditEntry(int(r["seq"]), r["at"], r["user_id"], r["user_name"], r["action"], r["target_kind"],
                           r["target_id"], r["detail"]) for r in rows], total


class SqlCaseQueries:
    """The staff case list and case restrictions."""

    def __init__(self, conn: Connection, sealer: m.Sealer, search: SqlSearchIndex) -> None:
        self.conn = conn
        self.sealer = sealer
        self.search = search

    def _scope(self, viewer: User) -> Any:
        scope = CASE_SCOPE[viewer.role]
        named = exists().where(a.case_access.c.case_id == t.cases.c.id, a.case_access.c.user_id == viewer.id)
        if scope is CaseScope.EVERY_CASE:
            return None
        if scope is CaseScope.NAMED_ONLY:
            return named
        restricted = exists().where(a.restricted_cases.c.case_id == t.cases.c.id)
        return or_(~restricted, named)

    @staticmethod
    def _matching(digest: str) -> Any:
        s = a.search_terms.c
        by_case = select(s.record_id).where(s.term == digest, s.kind == "case")
        by_person = select(s.record_id).where(s.term == digest, s.kind == "person")
        by_event = (select(t.event_cases.c.case_id)
                    .join(a.search_terms, and_(s.record_id == t.event_cases.c.event_id, s.kind == "event"))
                    .join(t.events, t.events.c.id == t.event_cases.c.event_id)
                    .where(s.term == digest, t.events.c.deleted_at.is_(None)))
        return or_(t.cases.c.id.in_(by_case), t.cases.c.person_id.in_(by_person), t.cases.c.id.in_(by_event))

    def visible_cases(self, viewer: User, query: CaseQuery, term_digests: list[str] | None, limit: int,
                      offset: int) -> tuple[list[CaseRow], int]:
        """A page of the cases a viewer sees that match the query, and the total."""
        q = select(t.cases)
        scope = self._scope(viewer)
        if scope is not None:
            q = q.where(scope)
        if query.status:
            q = q.where(t.cases.c.status == query.status)
        if query.region:
            q = q.where(t.cases.c.region == query.region)
        live = t.events.c.deleted_at.is_(None)
        if query.institution_id:
            q = q.where(t.cases.c.id.in_(select(t.event_cases.c.case_id)
                                         .join(t.events, t.events.c.id == t.event_cases.c.event_id)
                                         .where(t.events.c.institution_id == query.institution_id, live)))
        if query.date_from or query.date_to:
            conds = [live]
            if query.date_from:
                conds.append(t.events.c.date_end >= query.date_from)
            if query.date_to:
                conds.append(t.events.c.date_start <= query.date_to)
            q = q.where(t.cases.c.id.in_(select(t.event_cases.c.case_id)
                                         .join(t.events, t.events.c.id == t.event_cases.c.event_id).where(*conds)))
        if query.rule_id:
            q = q.where(t.cases.c.id.in_(select(t.finding_cases.c.case_id)
                                         .join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
                                         .where(t.findings.c.rule_id == query.rule_id)))
        for digest in term_digests or ():
            q = q.where(self._matching(digest))
        total = int(self.conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
        rows = list(self.conn.execute(q.order_by(t.cases.c.position).limit(limit).offset(offset)).mappings())
        return self._rows(rows), total

    def _rows(self, rows: list[Any]) -> list[CaseRow]:
        ids = [r["id"] for r in rows]
        counts = dict(self.conn.execute(
            select(t.event_cases.c.case_id, func.count())
            .join(t.events, t.events.c.id == t.event_cases.c.event_id)
            .where(t.event_cases.c.case_id.in_(ids), t.events.c.deleted_at.is_(None))
            .group_by(t.event_cases.c.case_id)).all())
        person_ids = sorted({r["person_id"] for r in rows})
        people = {p["id"]: m.person_from_row(p, self.sealer)
                  for p in self.conn.execute(select(t.people).where(t.people.c.id.in_(person_ids))).mappings()}
        out = []
        for r in rows:
            case = m.case_from_row(r, self.sealer)
            out.append(CaseRow(case, people[case.person_id], int(counts.get(case.id, 0))))
        return out

    def case_access(self, case_id: str) -> Access:
        """Whether a case is restricted, and who is named on it."""
        restricted = self.conn.execute(select(a.restricted_cases.c.case_id)
                                       .where(a.restricted_cases.c.case_id == case_id)).first() is not None
        named = self.conn.execute(select(a.case_access.c.user_id).where(a.case_access.c.case_id == case_id))
        return Access(restricted, frozenset(r[0] for r in named))

    def set_case_access(self, case_id: str, restricted: bool, user_ids: frozenset[str], at: str, by: str) -> None:
        """Replace a case's restriction and named users."""
        self.conn.execute(delete(a.restricted_cases).where(a.restricted_cases.c.case_id == case_id))
        self.conn.execute(delete(a.case_access).where(a.case_access.c.case_id == case_id))
        if restricted:
            self.conn.execute(insert(a.restricted_cases).values(case_id=case_id, restricted_at=at, restricted_by=by))
        if user_ids:
            self.conn.execute(insert(a.case_access), [{"case_id": case_id, "user_id": u} for u in sorted(user_ids)])

    def filter_choices(self) -> FilterChoices:
        """Statuses, regions, institutions and rule ids to filter by."""
        regions = [r[0] for r in self.conn.execute(select(t.cases.c.region).where(t.cases.c.region.is_not(None))
                                                   .distinct().order_by(t.cases.c.region))]
        institutions = self.conn.execute(select(t.institutions).order_by(t.institutions.c.position)).mappings()
        rules = [r[0] for r in self.conn.execute(select(t.findings.c.rule_id).distinct())]
        return FilterChoices(tuple(s.value for s in v.CaseStatus), tuple(regions),
                             tuple(m.institution_from_row(r) for r in institutions),
                             tuple(sorted(rules, key=lambda r: (len(r), r))))

    def search_digests(self, words: list[str]) -> list[str] | None:
        """The index digests of query words (None when nothing was ever indexed)."""
        return self.search.digests(words)


class StaffSqlUnitOfWork(UnitOfWork):
    """The staff application's unit of work: the composition root's unit of work plus the access tables.

    It wraps whatever `Dutycare.uow()` builds (records, ledger, search, findings…) and delegates to it, so the
    staff pages get every repository the core has, on the same connection and transaction.
    """

    def __init__(self, base: SqlUnitOfWork, sealer: m.Sealer) -> None:
        self._base = base
        self._staff_sealer = sealer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def __enter__(self) -> Self:
        self._base.__enter__()
        conn = self._base.connection
        self.access = SqlAccessStore(conn, self._staff_sealer)
        self.audit = SqlAuditLog(conn)
        self.views = SqlCaseQueries(conn, self._staff_sealer, SqlSearchIndex(conn, self._staff_sealer))
        return self

    def __exit__(self, *exc: Any) -> None:
        self._base.__exit__(*exc)

    def commit(self) -> None:
        """Commit the transaction."""
        self._base.commit()

    def rollback(self) -> None:
        """Discard what was not committed."""
        self._base.rollback()
