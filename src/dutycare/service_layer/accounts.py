"""Users, sign-in, sessions, second factor and API tokens of the staff application.

Passwords are kept as Argon2id hashes; session and API tokens as SHA-256 digests (they are random, 256-bit);
TOTP secrets sealed by the store. Failed sign-ins are counted per user name and per client, and refused for a
while once too many pile up, whether or not the name exists.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dutycare.domain.errors import DomainError, InvalidInput, NotFound, Problem
from dutycare.domain.limits import shown, text_fault
from dutycare.service_layer import access_log, audit
from dutycare.service_layer.access import ApiToken as ApiToken
from dutycare.service_layer.access import Permission, Role, allows
from dutycare.service_layer.access import User as User
from dutycare.service_layer.audit import AuditAction, iso
from dutycare.service_layer.changes import Action
from dutycare.service_layer.ports import AccessStore as AccessStore
from dutycare.service_layer.ports import StaffUnitOfWork as StaffUnitOfWork

USER, TOKEN, ORGANISATION = "user", "token", "organisation"  # kinds of record in the access log

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 12
MAX_LABEL = 200  # token labels and display names
DEFAULT_ORGANISATION = "org"


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser session."""

    user: User
    csrf: str
    second_factor_done: bool
    created_at: str
    last_seen_at: str


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions last and how many failed sign-ins are tolerated."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=10)
    window: timedelta = timedelta(minutes=15)
    max_failures_per_name: int = 5
    max_failures_per_client: int = 30


class LoginRefused(DomainError):
    """A sign-in was refused; the message never says whether the name exists."""


class TooManyAttempts(LoginRefused):
    """Too many failed sign-ins recently; the caller must wait."""


_HASHER = PasswordHasher()  # Argon2id with the library's current recommended cost; stateless.


@functools.cache
def _dummy_hash() -> str:
    """A hash to check an unknown name's password against, so such a sign-in takes as long as a real one (made on
    first use, not when the module is imported)."""
    return _HASHER.hash("dutycare: equalises the time of a sign-in with an unknown name")


def digest(secret: str) -> str:
    """The stored form of a random session or API token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """An Argon2id hash of a password."""
    return _HASHER.hash(password)


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password of about 120 bits, easy to type: groups of letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(6)) for _ in range(4))


def _check_password(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput([Problem("user", field, f"must be at least {MIN_PASSWORD} characters long")])


def _role_problems(role: str) -> list[Problem]:
    if role in {r.value for r in Role}:
        return []
    return [Problem("user", "role", f"'{role}' is not one of: {', '.join(r.value for r in Role)}")]


def _require_manager(by: User) -> None:
    if not allows(by.role, Permission.USERS_MANAGE) or not by.active:
        raise DomainError(f"{by.name} may not manage users: only an active coordinator may.")


def _check_bootstrap(uow: StaffUnitOfWork, role: str) -> None:
    """Without an acting user, only the first coordinator of a database with no users may be created."""
    if uow.access.users():
        raise DomainError("Name the coordinator who adds this user: pass --actor NAME (or set DUTYCARE_ACTOR).")
    if role != Role.COORDINATOR.value:
        raise DomainError("The first user of a database must be a coordinator: add one with --role coordinator.")


def add_user(uow: StaffUnitOfWork, name: str, role: str, at: datetime, *, by: User | None,
             display_name: str | None = None, password: str | None = None,
             organisation: str = DEFAULT_ORGANISATION) -> tuple[User, str | None]:
    """Create a user, audited and entered in the access log; returns the user and the generated password when
    none was given. ``by`` is the coordinator acting, or None for the first coordinator (the bootstrap)."""
    problems = _role_problems(role)
    if not NAME_PATTERN.match(name or ""):
        problems.insert(0, Problem("user", "name", "use 2–80 lowercase letters, digits, '.', '_' or '-'"))
    if display_name is not None and (fault := text_fault(display_name) or (
            f"must be at most {MAX_LABEL} characters" if len(display_name) > MAX_LABEL else None)):
        problems.append(Problem("user", "display_name", fault))
    if problems:
        raise InvalidInput(problems)
    generated = None
    if password is None:
        password = generated = generate_password()
    _check_password(password)
    user = User(uuid.uuid4().hex, organisation, name, (display_name or name).strip() or name, Role(role), True,
                iso(at))
    with uow:
        if by is None:
            _check_bootstrap(uow, role)
        else:
            _require_manager(by)
        if uow.access.user_by_name(name) is not None:
            raise InvalidInput([Problem("user", "name", f"a user '{name}' already exists")])
        actor = by or user
        if uow.access.ensure_organisation(organisation, organisation, iso(at)):
            access_log.enter(uow, actor.name, ORGANISATION, organisation, Action.CREATE)
        uow.access.add_user(user, hash_password(password))
        access_log.enter(uow, actor.name, USER, user.id, Action.CREATE)
        how = "" if by else " (the first coordinator, created without an account)"
        audit.note(uow, actor, AuditAction.USER_CREATED, "user", user.id, at, f"{user.name} as {role}{how}")
        uow.commit()
    return user, generated


def list_users(uow: StaffUnitOfWork) -> list[User]:
    """Every user, by name."""
    with uow:
        return sorted(uow.access.users(), key=lambda u: u.name)


def get_user(uow: StaffUnitOfWork, user_id: str) -> User:
    """One user, or NotFound."""
    with uow:
        user = uow.access.user(user_id)
    if user is None:
        raise NotFound(f"There is no user '{user_id}'.")
    return user


def user_by_name(uow: StaffUnitOfWork, name: str) -> User:
    """One user by sign-in name, or NotFound."""
    with uow:
        found = uow.access.user_by_name(name)
    if found is None:
        raise NotFound(f"There is no user '{name}'. 'dutycare users list' shows who there is.")
    return found[0]


def acting_user(uow: StaffUnitOfWork, name: str | None) -> User:
    """The active staff account a command acts as; refuses a missing, unknown or suspended name."""
    with uow:
        users = uow.access.users()
        found = uow.access.user_by_name(name.strip().lower()) if name else None
    if not users:
        raise DomainError("This database has no users yet. Add the first coordinator with "
                          "'dutycare users add NAME --role coordinator', then pass --actor NAME.")
    if not name:
        raise DomainError("This command reads or writes case data, so it must act as a staff account: pass "
                          "--actor NAME (or set DUTYCARE_ACTOR) naming an active user of this database.")
    if found is None:
        raise DomainError(f"--actor names '{name}', who is not a user of this database. "
                          "'dutycare users list --actor NAME' shows who is.")
    if not found[0].active:
        raise DomainError(f"The user '{found[0].name}' is suspended and may not act; name an active user.")
    return found[0]


def change_user(uow: StaffUnitOfWork, user_id: str, at: datetime, *, by: User, role: str | None = None,
                active: bool | None = None, reset_second_factor: bool = False) -> User:
    """Change a user's role or whether they may sign in, or reset their second factor; deactivating ends their
    sessions and their tokens' use. Audited and entered in the access log."""
    if role is not None and (problems := _role_problems(role)):
        raise InvalidInput(problems)
    with uow:
        _require_manager(by)
        if uow.access.user(user_id) is None:
            raise NotFound(f"There is no user '{user_id}'.")
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = role
        if active is not None:
            values["active"] = active
        if values:
            uow.access.update_user(user_id, **values)
        if reset_second_factor:
            uow.access.set_totp_secret(user_id, None)
        if active is False or role is not None or reset_second_factor:
            uow.access.end_sessions_of(user_id)
        user = uow.access.user(user_id)
        assert user is not None
        access_log.enter(uow, by.name, USER, user_id, Action.UPDATE)
        detail = (f"{user.name}: role {user.role.value}, {'active' if user.active else 'suspended'}"
                  + ("; second factor reset" if reset_second_factor else ""))
        audit.note(uow, by, AuditAction.USER_CHANGED, "user", user_id, at, detail)
        uow.commit()
    return user


def change_password(uow: StaffUnitOfWork, user_id: str, current: str, new: str, at: datetime) -> None:
    """Change one's own password (the current one is checked); every other session ends."""
    _check_password(new, "new_password")
    with uow:
        user = uow.access.user(user_id)
        found = uow.access.user_by_name(user.name) if user else None
        if user is None or found is None or not _password_matches(found[1], current):
            raise InvalidInput([Problem("user", "current_password", "is not your current password")])
        uow.access.update_user(user_id, password_hash=hash_password(new))
        uow.access.end_sessions_of(user_id)
        access_log.enter(uow, user.name, USER, user_id, Action.UPDATE)
        audit.note(uow, user, AuditAction.PASSWORD_CHANGED, "user", user_id, at, user.name)
        uow.commit()


# -- sign-in and sessions --------------------------------------------------------------------------------
def _refuse_if_throttled(uow: StaffUnitOfWork, keys: Sequence[tuple[str, int]], since: str) -> None:
    for key, limit in keys:
        if uow.access.failures_since(key, since) >= limit:
            raise TooManyAttempts("Too many failed sign-ins. Wait a quarter of an hour and try again.")


def sign_in(uow: StaffUnitOfWork, name: str, password: str, client: str, at: datetime,
            policy: SessionPolicy) -> tuple[str, SessionInfo]:
    """Check a password and open a session; returns the session token (for the cookie) and the session."""
    # shown(): a name with a NUL or a broken character is no user's, and is still counted, as storable text.
    keys = (("name:" + shown(name.lower()[:150]), policy.max_failures_per_name),
            ("client:" + client[:150], policy.max_failures_per_client))
    with uow:
        _refuse_if_throttled(uow, keys, iso(at - policy.window))
        found = uow.access.user_by_name(name.strip().lower())
        ok = _password_matches(found[1] if found else _dummy_hash(), password) and found is not None
        if not ok or found is None or not found[0].active:
            for key, _ in keys:
                uow.access.add_failure(key, iso(at))
            uow.commit()
            raise LoginRefused("The name or the password is wrong.")
        user = found[0]
        uow.access.clear_failures(keys[0][0])
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.access.add_session(digest(token), user.id, csrf, not user.has_second_factor, iso(at))
        if not user.has_second_factor:  # otherwise the sign-in is complete, and audited, after the code
            audit.note(uow, user, AuditAction.SIGN_IN, "user", user.id, at, "password")
        uow.commit()
    return token, SessionInfo(user, csrf, not user.has_second_factor, iso(at), iso(at))


def second_factor(uow: StaffUnitOfWork, token: str, code: str, client: str, at: datetime,
                  policy: SessionPolicy) -> SessionInfo:
    """Complete a sign-in with the current TOTP code; failures count like wrong passwords."""
    with uow:
        found = uow.access.session(digest(token))
        if found is None:
            raise LoginRefused("The sign-in has expired. Sign in again.")
        user = uow.access.user(found[0])
        assert user is not None
        keys = (("name:" + user.name, policy.max_failures_per_name), ("client:" + client[:150],
                                                                      policy.max_failures_per_client))
        _refuse_if_throttled(uow, keys, iso(at - policy.window))
        secret = uow.access.totp_secret(user.id)
        if secret is None or not pyotp.TOTP(secret).verify(code.strip().replace(" ", ""), for_time=at,
                                                           valid_window=1):
            for key, _ in keys:
                uow.access.add_failure(key, iso(at))
            uow.commit()
            raise LoginRefused("The code is wrong or has expired. Enter the current code from your app.")
        uow.access.clear_failures(keys[0][0])
        uow.access.touch_session(digest(token), iso(at), second_factor_done=True)
        audit.note(uow, user, AuditAction.SIGN_IN, "user", user.id, at, "password and second factor")
        uow.commit()
        return SessionInfo(user, found[1], True, found[3], iso(at))


def current_session(uow: StaffUnitOfWork, token: str, at: datetime, policy: SessionPolicy) -> SessionInfo | None:
    """The live session a cookie names, or None when it is unknown, idle too long, too old or its user inactive."""
    key = digest(token)
    with uow:
        found = uow.access.session_with_user(key)
        if found is None:
            return None
        (csrf, done, created, seen), user = found
        expired = seen < iso(at - policy.idle) or created < iso(at - policy.absolute)
        if not user.active or expired:
            uow.access.end_session(key)
            uow.commit()
            return None
        if seen < iso(at - timedelta(minutes=1)):  # one write a minute at most, not one per request
            uow.access.touch_session(key, iso(at))
            uow.commit()
    return SessionInfo(user, csrf, done, created, seen)


def sign_out(uow: StaffUnitOfWork, token: str) -> None:
    """End a session."""
    with uow:
        uow.access.end_session(digest(token))
        uow.commit()


# -- second factor ---------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    """A new random TOTP secret (base32) for an authenticator app."""
    return pyotp.random_base32()


def totp_uri(secret: str, user: User, issuer: str = "dutycare") -> str:
    """The otpauth:// address an authenticator app accepts."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.name, issuer_name=issuer)


def valid_totp_secret(secret: str) -> bool:
    """Whether a text is a usable TOTP secret (base32, at least 128 bits)."""
    try:
        pyotp.TOTP(secret).now()
    except (ValueError, TypeError):
        return False
    return len(secret) >= 26


def enable_second_factor(uow: StaffUnitOfWork, user_id: str, secret: str, code: str, at: datetime) -> None:
    """Turn on the second factor once the user proves their app shows the right code."""
    if not valid_totp_secret(secret):
        raise InvalidInput([Problem("user", "code", "the set-up expired; start it again")])
    if not pyotp.TOTP(secret).verify(code.strip().replace(" ", ""), for_time=at, valid_window=1):
        raise InvalidInput([Problem("user", "code", "does not match; check the time on your phone and retry")])
    with uow:
        user = uow.access.user(user_id)
        if user is None:
            raise NotFound(f"There is no user '{user_id}'.")
        uow.access.set_totp_secret(user_id, secret)
        access_log.enter(uow, user.name, USER, user_id, Action.UPDATE)
        audit.note(uow, user, AuditAction.SECOND_FACTOR_CHANGED, "user", user_id, at, f"{user.name}: turned on")
        uow.commit()


# -- API tokens ------------------------------------------------------------------------------------------
def create_token(uow: StaffUnitOfWork, user_id: str, label: str, at: datetime, *,
                 by: User) -> tuple[ApiToken, str]:
    """A new API token for a user (oneself, or anyone for a coordinator); the secret is returned once and only
    its digest is kept. Audited and entered in the access log."""
    label = (label or "").strip()
    if not label or len(label) > MAX_LABEL:
        raise InvalidInput([Problem("token", "label", f"say what the token is for (1–{MAX_LABEL} characters)")])
    if fault := text_fault(label):
        raise InvalidInput([Problem("token", "label", fault)])
    secret = "dct_" + secrets.token_urlsafe(32)
    token = ApiToken(uuid.uuid4().hex, user_id, label, iso(at), None, None)
    with uow:
        if user_id != by.id:
            _require_manager(by)
        owner = uow.access.user(user_id)
        if owner is None:
            raise NotFound(f"There is no user '{user_id}'.")
        uow.access.add_token(token, digest(secret))
        access_log.enter(uow, by.name, TOKEN, token.id, Action.CREATE)
        audit.note(uow, by, AuditAction.TOKEN_CREATED, "token", token.id, at, f"for {owner.name}: {label}")
        uow.commit()
    return token, secret


def token_user(uow: StaffUnitOfWork, secret: str, at: datetime) -> User | None:
    """The active user an API token belongs to, or None for unknown or revoked tokens."""
    with uow:
        found = uow.access.token_with_user(digest(secret))
        if found is None:
            return None
        token, user = found
        if token.revoked_at is not None or not user.active:
            return None
        if token.last_used_at is None or token.last_used_at < iso(at - timedelta(minutes=1)):
            uow.access.update_token(token.id, last_used_at=iso(at))
            uow.commit()
    return user


def list_tokens(uow: StaffUnitOfWork, user_id: str | None = None) -> list[ApiToken]:
    """API tokens (of one user, or all), newest first."""
    with uow:
        return sorted(uow.access.tokens(user_id), key=lambda t: t.created_at, reverse=True)


def revoke_token(uow: StaffUnitOfWork, token_id: str, at: datetime, *, by: User,
                 owner: str | None = None) -> ApiToken:
    """Revoke a token (only one's own unless owner is None, i.e. a coordinator acts); audited and entered in the
    access log. Revoking a revoked token changes nothing."""
    with uow:
        if owner is None:
            _require_manager(by)
        found = [t for t in uow.access.tokens(owner) if t.id == token_id]
        if not found:
            raise NotFound(f"There is no token '{token_id}'.")
        if found[0].revoked_at is not None:
            return found[0]
        uow.access.update_token(token_id, revoked_at=iso(at))
        access_log.enter(uow, by.name, TOKEN, token_id, Action.UPDATE)
        audit.note(uow, by, AuditAction.TOKEN_REVOKED, "token", token_id, at, found[0].label)
        uow.commit()
    return replace(found[0], revoked_at=iso(at))
