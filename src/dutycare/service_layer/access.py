"""Who may do what: the one table of roles and permissions, and which cases each role can see.

Every route of the web application and the API names exactly one Permission; a test walks every route with
every role and checks the answer against ROLE_TABLE. Change access here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The personas of PRODUCT.md §1 that sign in."""

    CASEWORKER = "caseworker"
    LAWYER = "lawyer"
    ANALYST = "analyst"
    COORDINATOR = "coordinator"
    PARTNER = "partner"


class Permission(StrEnum):
    """One thing a route does, as the role table grants it."""

    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    CASE_READ = "case.read"
    IDENTIFYING_READ = "identifying.read"
    EVENT_WRITE = "event.write"
    COMPLAINT_WRITE = "complaint.write"
    DEADLINES_READ = "deadlines.read"
    LEDGER_READ = "ledger.read"
    EXPORT = "export"
    CASE_RESTRICT = "case.restrict"
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"
    INTAKE_TRIAGE = "intake.triage"
    INTAKE_UNLOCK = "intake.unlock"
    PATTERNS_READ = "patterns.read"
    PUBLICATION_BUILD = "publication.build"
    PUBLICATION_APPROVE = "publication.approve"
    PUBLICATIONS_READ = "publications.read"


R = Role
ALL_ROLES = frozenset(Role)
STAFF = frozenset({R.CASEWORKER, R.LAWYER, R.ANALYST, R.COORDINATOR})

ROLE_TABLE: Mapping[Permission, frozenset[Role]] = {
    # The login page, language switch, static files and the API description.
    Permission.PUBLIC: ALL_ROLES,
    # Own account: password, second factor, own API tokens, sign out.
    Permission.SIGNED_IN: ALL_ROLES,
    # Case lists, case pages (pseudonyms only), findings, complaints; partners only on cases granted to them.
    Permission.CASE_READ: ALL_ROLES,
    # Full name, birth date, contacts and notes of a person; every read is audited.
    Permission.IDENTIFYING_READ: frozenset({R.CASEWORKER, R.LAWYER, R.COORDINATOR}),
    # Add, correct and withdraw timeline events, and open and correct the cases, people, sources and institutions
    # they refer to.
    Permission.EVENT_WRITE: frozenset({R.CASEWORKER, R.LAWYER, R.COORDINATOR}),
    # Draft, finalise and file complaints, and record their sending, registration, forwarding and answers.
    Permission.COMPLAINT_WRITE: frozenset({R.LAWYER, R.COORDINATOR}),
    Permission.DEADLINES_READ: STAFF,
    Permission.LEDGER_READ: ALL_ROLES,
    # A whole case file with identifying data; every export is audited.
    Permission.EXPORT: frozenset({R.LAWYER, R.COORDINATOR}),
    Permission.CASE_RESTRICT: frozenset({R.COORDINATOR}),
    Permission.USERS_MANAGE: frozenset({R.COORDINATOR}),
    Permission.AUDIT_READ: frozenset({R.COORDINATOR}),
    # Public intake submissions, read in memory once the intake key is unlocked: mark spam, reply, make a case.
    Permission.INTAKE_TRIAGE: frozenset({R.CASEWORKER, R.COORDINATOR}),
    # Unlocking the intake key with its passphrase (it then serves the caseworkers who may triage).
    Permission.INTAKE_UNLOCK: frozenset({R.COORDINATOR}),
    # Pattern tables and charts across the cases one sees, always through disclosure control.
    Permission.PATTERNS_READ: frozenset({R.LAWYER, R.ANALYST, R.COORDINATOR}),
    # Build a draft publication (aggregate report and anonymised case summaries) for a coordinator to approve.
    Permission.PUBLICATION_BUILD: frozenset({R.ANALYST, R.COORDINATOR}),
    # Preview, approve or withdraw a publication: the decision what may leave.
    Permission.PUBLICATION_APPROVE: frozenset({R.COORDINATOR}),
    # The list of publications and their files; a partner sees approved ones only.
    Permission.PUBLICATIONS_READ: ALL_ROLES,
}


class CaseScope(StrEnum):
    """Which cases a role sees at all."""

    EVERY_CASE = "every_case"
    UNRESTRICTED_OR_NAMED = "unrestricted_or_named"
    NAMED_ONLY = "named_only"


CASE_SCOPE: Mapping[Role, CaseScope] = {
    R.COORDINATOR: CaseScope.EVERY_CASE,
    R.CASEWORKER: CaseScope.UNRESTRICTED_OR_NAMED,
    R.LAWYER: CaseScope.UNRESTRICTED_OR_NAMED,
    R.ANALYST: CaseScope.UNRESTRICTED_OR_NAMED,
    R.PARTNER: CaseScope.NAMED_ONLY,
}


@dataclass(frozen=True)
class Access:
    """Whether a case is restricted, and to whom."""

    restricted: bool
    user_ids: frozenset[str]


def allows(role: Role | str, permission: Permission) -> bool:
    """Whether a role holds a permission."""
    return Role(role) in ROLE_TABLE[permission]


def sees_case(role: Role | str, user_id: str, restricted: bool, named: frozenset[str]) -> bool:
    """Whether a user of this role sees a case that is (or is not) restricted to the named users."""
    scope = CASE_SCOPE[Role(role)]
    if scope is CaseScope.EVERY_CASE:
        return True
    if scope is CaseScope.NAMED_ONLY:
        return user_id in named
    return not restricted or user_id in named


def permissions_of(role: Role | str) -> frozenset[Permission]:
    """Every permission a role holds."""
    return frozenset(p for p, roles in ROLE_TABLE.items() if Role(role) in roles)


def render_role_table() -> str:
    """The role table as Markdown (docs/web.md embeds it; a test keeps the two in step)."""
    roles = list(Role)
    lines = ["| permission | " + " | ".join(r.value for r in roles) + " |",
             "| --- | " + " | ".join("---" for _ in roles) + " |"]
    for permission, allowed in ROLE_TABLE.items():
        lines.append(f"| `{permission.value}` | " + " | ".join("yes" if r in allowed else "—" for r in roles) + " |")
    scopes = " ".join(f"{r.value}: {CASE_SCOPE[r].value.replace('_', ' ')}." for r in roles)
    return "\n".join(lines) + f"\n\nWhich cases each role sees at all — {scopes}\n"


@dataclass(frozen=True)
class User:
    """A person who signs in, with one role in one organisation."""

    id: str
    organisation_id: str
    name: str
    display_name: str
    role: Role
    active: bool
    created_at: str
    has_second_factor: bool = False


@dataclass(frozen=True)
class ApiToken:
    """A token a script uses as `Authorization: Bearer …`; only its digest is stored."""

    id: str
    user_id: str
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None
