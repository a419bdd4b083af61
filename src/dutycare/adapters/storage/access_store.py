"""Storage of the staff application on SQLite and PostgreSQL: users, sessions, tokens, audit, case access,
and the staff case list (which joins the case record with restrictions, findings and the search index)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Self

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage import mapping as m
from dutycare.adapters.storage import tables as t
from dutycare.adapters.storage.case_filter import (
    POSTINGS_UP_TO,
    WITHDRAWN_EVENT_IDS,
    ListShape,
    filtered_cases,
    shape_of,
)
from dutycare.adapters.storage.pattern_store import SqlPatternQueries, SqlPublications
from dutycare.adapters.storage.search_store import SqlSearchIndex
from dutycare.adapters.storage.unit_of_work import SqlUnitOfWork
from dutycare.domain import vocabulary as v
from dutycare.domain.limits import storable_text
from dutycare.service_layer.access import CASE_SCOPE, Access, ApiToken, CaseScope, Role, User
from dutycare.service_layer.ports import AccessStore, AuditLog, CaseQueries, StaffUnitOfWork
from dutycare.service_layer.queries import SEARCH_COUNT_LIMIT, AuditEntry, CaseQuery, CaseRow, FilterChoices

TOTP_KIND = "user-totp"

# Statements that every request (or every case page and list) runs, built once: building a statement costs
# SQLAlchemy more than SQLite spends running it on an indexed key.
_USER = select(a.users).where(a.users.c.id == bindparam("id"))
_SESSION = select(a.sessions.c.user_id, a.sessions.c.csrf, a.sessions.c.second_factor_done,
                  a.sessions.c.created_at, a.sessions.c.last_seen_at).where(a.sessions.c.token_hash == bindparam("h"))
_TOKEN = select(a.api_tokens).where(a.api_tokens.c.token_hash == bindparam("h"))
_SESSION_USER = (select(a.sessions.c.csrf, a.sessions.c.second_factor_done,
                        a.sessions.c.created_at.label("session_created_at"), a.sessions.c.last_seen_at, a.users)
                 .join(a.users, a.users.c.id == a.sessions.c.user_id).where(a.sessions.c.token_hash == bindparam("h")))
_TOKEN_USER = (select(a.api_tokens.c.id.label("token_id"), a.api_tokens.c.label, a.api_tokens.c.created_at.label(
                   "token_created_at"), a.api_tokens.c.last_used_at, a.api_tokens.c.revoked_at, a.users)
               .join(a.users, a.users.c.id == a.api_tokens.c.user_id)
               .where(a.api_tokens.c.token_hash == bindparam("h")))
_CASE_ACCESS = union_all(
    select(literal("restricted").label("kind"), a.restricted_cases.c.case_id.label("value"))
    .where(a.restricted_cases.c.case_id == bindparam("case_id")),
    select(literal("named").label("kind"), a.case_access.c.user_id.label("value"))
    .where(a.case_access.c.case_id == bindparam("case_id")))
_INSTITUTIONS = select(t.institutions).order_by(t.institutions.c.position)
_LIVE_EVENT_COUNTS = (select(t.event_cases.c.case_id, func.count())
                      .where(t.event_cases.c.case_id.in_(bindparam("ids", expanding=True)),
                             t.event_cases.c.event_id.not_in(WITHDRAWN_EVENT_IDS))
                      .group_by(t.event_cases.c.case_id))
_PEOPLE = select(t.people).where(t.people.c.id.in_(bindparam("ids", expanding=True)))


def _user(row: Any) -> User:
    return User(row["id"], row["organisation_id"], row["name"], row["display_name"], Role(row["role"]),
                bool(row["active"]), row["created_at"], row["totp_sealed"] is not None)


def _token(row: Any) -> ApiToken:
    return ApiToken(row["id"], row["user_id"], row["label"], row["created_at"], row["last_used_at"],
                    row["revoked_at"])


class SqlAccessStore(AccessStore):
    """Users, sessions, API tokens and failed sign-ins."""

    def __init__(self, conn: Connection, sealer: m.Sealer) -> None:
        self.conn = conn
        self.sealer = sealer

    def ensure_organisation(self, org_id: str, name: str, at: str) -> bool:
        """Create the organisation if it does not exist; True when it was created."""
        if self.conn.execute(select(a.organisations.c.id).where(a.organisations.c.id == org_id)).first() is not None:
            return False
        self.conn.execute(insert(a.organisations).values(id=org_id, name=name, created_at=at))
        return True

    def add_user(self, user: User, password_hash: str) -> None:
        """Insert a user."""
        self.conn.execute(insert(a.users).values(
            id=user.id, organisation_id=user.organisation_id, name=user.name, display_name=user.display_name,
            role=user.role.value, password_hash=password_hash, totp_sealed=None, totp_version=0, active=user.active,
            created_at=user.created_at))

    def user(self, user_id: str) -> User | None:
        """One user by id."""
        if not storable_text(user_id):
            return None  # no stored id holds what storage cannot hold (and PostgreSQL would refuse the query)
        row = self.conn.execute(_USER, {"id": user_id}).mappings().first()
        return None if row is None else _user(row)

    def user_by_name(self, name: str) -> tuple[User, str] | None:
        """One user by name, with the password hash."""
        if not storable_text(name):
            return None
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
        row = self.conn.execute(_SESSION, {"h": token_hash}).first()
        return None if row is None else (row[0], row[1], bool(row[2]), row[3], row[4])

    def session_with_user(self, token_hash: str) -> tuple[tuple[str, bool, str, str], User] | None:
        """((CSRF token, second factor done, created, last seen), user) of a session, in one statement."""
        row = self.conn.execute(_SESSION_USER, {"h": token_hash}).mappings().first()
        if row is None:
            return None
        session = (row["csrf"], bool(row["second_factor_done"]), row["session_created_at"], row["last_seen_at"])
        return session, _user(row)

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
        row = self.conn.execute(_TOKEN, {"h": token_hash}).mappings().first()
        return None if row is None else _token(row)

    def token_with_user(self, token_hash: str) -> tuple[ApiToken, User] | None:
        """The token with this digest and its user, in one statement."""
        row = self.conn.execute(_TOKEN_USER, {"h": token_hash}).mappings().first()
        if row is None:
            return None
        return ApiToken(row["token_id"], row["id"], row["label"], row["token_created_at"], row["last_used_at"],
                        row["revoked_at"]), _user(row)

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


class SqlAuditLog(AuditLog):
    """The audit log table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, at: str, user_id: str | None, user_name: str, action: str, target_kind: str, target_id: str,
               detail: str) -> int:
        """Append an entry; returns its number."""
        done = self.conn.execute(insert(a.audit_log).values(at=at, user_id=user_id, user_name=user_name,
                                                            action=action, target_kind=target_kind,
                                                            target_id=target_id, detail=detail))
        key = done.inserted_primary_key
        assert key is not None
        return int(key[0])

    def entries(self, limit: int, offset: int, action: str | None = None) -> tuple[list[AuditEntry], int]:
        """A page of entries, newest first, and the total."""
        q = select(a.audit_log)
        if action and not storable_text(action):
            return [], 0  # no action is named so
        if action:
            q = q.where(a.audit_log.c.action == action)
        total = int(self.conn.execute(select(func.count()).select_from(q.subquery())).scalar_one())
        rows = self.conn.execute(q.order_by(a.audit_log.c.seq.desc()).limit(limit).offset(offset)).mappings()
        return [AuditEntry(int(r["seq"]), r["at"], r["user_id"], r["user_name"], r["action"], r["target_kind"],
                           r["target_id"], r["detail"]) for r in rows], total


def _distinct_found(column: Any) -> Any:
    """The distinct values of an indexed column as (value, step) rows, each found by one index probe (the last
    row's value is null).

    A loose index scan: it costs one probe per distinct value however many rows there are, where SELECT DISTINCT
    reads the whole index (100,000 cases for 20 regions).
    """
    found = select(func.min(column).label("value"), literal(0).label("step")).cte("found", recursive=True)
    following = select(func.min(column)).where(column > found.c.value).scalar_subquery()
    return found.union_all(select(following, found.c.step + 1).where(found.c.value.is_not(None)))


def _distinct_values(column: Any) -> Any:
    """The distinct non-null values of an indexed column, in the database's order (see `_distinct_found`)."""
    found = _distinct_found(column)
    return select(found.c.value).where(found.c.value.is_not(None)).order_by(found.c.step)


_REGIONS = _distinct_values(t.cases.c.region)
_RULE_IDS = _distinct_values(t.findings.c.rule_id)


@lru_cache(maxsize=8)
def _visible_regions(scope: CaseScope) -> Any:
    """The regions, in `_REGIONS` order, that a case a viewer of this scope sees is in (bound as viewer_id).

    One statement where there was one case-list probe per region: for each region the first visible case of that
    region is looked for, through the index by region and position, as the probe did."""
    found = _distinct_found(t.cases.c.region)
    everywhere = ListShape(scope, status=False, region=False, institution=False, date_from=False, date_to=False,
                           rule=False, terms=0)
    seen_there = filtered_cases(everywhere, select(t.cases.c.id)).where(t.cases.c.region == found.c.value)
    return (select(found.c.value).where(found.c.value.is_not(None), seen_there.exists())
            .order_by(found.c.step))


@lru_cache(maxsize=256)
def _list_statements(shape: ListShape) -> tuple[Any, Any]:
    """The count and the page statements of a case list of this shape, with every value a bound parameter.

    Built once per shape: building and keying a statement of this size costs SQLAlchemy more than SQLite
    spends answering it from the case-list indexes.
    """
    q = filtered_cases(shape, select(t.cases))
    if shape.terms:  # counted up to SEARCH_COUNT_LIMIT + 1: a common word is not counted through
        count = select(func.count()).select_from(q.with_only_columns(t.cases.c.id)
                                                 .limit(bindparam("count_limit")).subquery())
    else:
        count = select(func.count()).select_from(q.subquery())
    page = q.order_by(t.cases.c.position).limit(bindparam("limit")).offset(bindparam("offset"))
    return count, page


class SqlCaseQueries(CaseQueries):
    """The staff case list and case restrictions."""

    def __init__(self, conn: Connection, sealer: m.Sealer, search: SqlSearchIndex) -> None:
        self.conn = conn
        self.sealer = sealer
        self.search = search

    def visible_cases(self, viewer: User, query: CaseQuery, term_digests: list[str] | None, limit: int,
                      offset: int) -> tuple[list[CaseRow], int]:
        """A page of the cases a viewer sees that match the query, and the total."""
        postings = {d: int(self.conn.execute(POSTINGS_UP_TO, {"term": d}).scalar_one())
                    for d in dict.fromkeys(term_digests or [])}
        shaped = shape_of(viewer, query, term_digests, postings)
        if shaped is None:
            return [], 0  # a filter value storage cannot hold, or a word no case holds, matches no case
        shape, values = shaped
        count, page = _list_statements(shape)
        values |= {"limit": limit, "offset": offset, "count_limit": SEARCH_COUNT_LIMIT + 1}
        total = int(self.conn.execute(count, values).scalar_one())
        rows = list(self.conn.execute(page, values).mappings())
        return self._rows(rows), total

    def visible_regions(self, viewer: User) -> tuple[str, ...]:
        """The regions of the filter choices that a case this viewer sees is in, in the same order."""
        found = self.conn.execute(_visible_regions(CASE_SCOPE[viewer.role]), {"viewer_id": viewer.id}).scalars()
        return tuple(str(r) for r in found)

    def _rows(self, rows: list[Any]) -> list[CaseRow]:
        if not rows:
            return []
        counts: dict[str, int] = dict(self.conn.execute(_LIVE_EVENT_COUNTS, {"ids": [r["id"] for r in rows]}).all())
        person_ids = sorted({r["person_id"] for r in rows})
        people = {p["id"]: m.person_from_row(p, self.sealer)
                  for p in self.conn.execute(_PEOPLE, {"ids": person_ids}).mappings()}
        out = []
        for r in rows:
            case = m.case_from_row(r, self.sealer)
            out.append(CaseRow(case, people[case.person_id], int(counts.get(case.id, 0))))
        return out

    def case_access(self, case_id: str) -> Access:
        """Whether a case is restricted, and who is named on it (one query)."""
        rows = self.conn.execute(_CASE_ACCESS, {"case_id": case_id}).all()
        return Access(any(kind == "restricted" for kind, _ in rows),
                      frozenset(value for kind, value in rows if kind == "named"))

    def set_case_access(self, case_id: str, restricted: bool, user_ids: frozenset[str], at: str, by: str) -> None:
        """Replace a case's restriction and named users."""
        self.conn.execute(delete(a.restricted_cases).where(a.restricted_cases.c.case_id == case_id))
        self.conn.execute(delete(a.case_access).where(a.case_access.c.case_id == case_id))
        if restricted:
            self.conn.execute(insert(a.restricted_cases).values(case_id=case_id, restricted_at=at, restricted_by=by))
        if user_ids:
            self.conn.execute(insert(a.case_access), [{"case_id": case_id, "user_id": u} for u in sorted(user_ids)])

    def filter_choices(self, viewer: User | None = None) -> FilterChoices:
        """Statuses, regions, institutions and rule ids to filter by; with a viewer, only the regions that a case
        they see is in."""
        if viewer is None or CASE_SCOPE[viewer.role] is CaseScope.EVERY_CASE:
            regions = [r[0] for r in self.conn.execute(_REGIONS)]
        else:
            regions = list(self.visible_regions(viewer))
        institutions = self.conn.execute(_INSTITUTIONS).mappings()
        rules = [r[0] for r in self.conn.execute(_RULE_IDS)]
        return FilterChoices(tuple(s.value for s in v.CaseStatus), tuple(regions),
                             tuple(m.institution_from_row(r) for r in institutions),
                             tuple(sorted(rules, key=lambda r: (len(r), r))))

    def search_digests(self, words: list[str]) -> list[str] | None:
        """The index digests of query words (None when nothing was ever indexed)."""
        return self.search.digests(words)


class StaffSqlUnitOfWork(SqlUnitOfWork, StaffUnitOfWork):
    """The staff application's unit of work: the core repositories plus the access tables, on one transaction."""

    @classmethod
    def like(cls, base: SqlUnitOfWork) -> Self:
        """A staff unit of work on the same database, keys, rules, clock and actor as a core one."""
        return cls(base.engine, base.sealer, base.ledger_factory, base.actor, base.rulebook, base.today,
                   base.access_log_factory)

    def __enter__(self) -> Self:
        super().__enter__()
        conn = self.connection
        self.access = SqlAccessStore(conn, self.sealer)
        self.audit = SqlAuditLog(conn)
        self.views = SqlCaseQueries(conn, self.sealer, SqlSearchIndex(conn, self.sealer))
        self.patterns = SqlPatternQueries(conn)
        self.publications = SqlPublications(conn)
        return self
