"""REST API: oneself and one's tokens; users and tokens (coordinators); the audit log (coordinators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from dutycare.domain.limits import MAX_OFFSET
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs
from dutycare.entrypoints.web.json_body import BoundedJsonRoute
from dutycare.entrypoints.web.routers.api_cases import ERRORS
from dutycare.entrypoints.web.schemas import (
    AuditEntryPublic,
    AuditPagePublic,
    TokenCreate,
    TokenCreatedPublic,
    TokenPublic,
    UserCreate,
    UserCreatedPublic,
    UserPublic,
    UserUpdate,
)
from dutycare.service_layer import accounts, audit
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.audit import AuditAction

router = APIRouter(prefix="/api/v1", tags=["users"], responses=ERRORS, route_class=BoundedJsonRoute)


@router.get("/me", dependencies=[Needs(P.SIGNED_IN)])
def me(user: CurrentUser) -> UserPublic:
    """Who you are signed in as."""
    return UserPublic.of(user)


@router.get("/me/tokens", dependencies=[Needs(P.SIGNED_IN)])
def my_tokens(ctx: Ctx, user: CurrentUser) -> list[TokenPublic]:
    """Your API tokens."""
    return [TokenPublic.of(t) for t in accounts.list_tokens(ctx.uow(user), user.id)]


def _created(ctx: Ctx, actor: CurrentUser, user_id: str, label: str) -> TokenCreatedPublic:
    token, secret = accounts.create_token(ctx.uow(actor), user_id, label, ctx.now(), by=actor)
    return TokenCreatedPublic(**TokenPublic.of(token).model_dump(), secret=secret)


@router.post("/me/tokens", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.SIGNED_IN)])
def create_my_token(ctx: Ctx, user: CurrentUser, body: TokenCreate) -> TokenCreatedPublic:
    """A new API token for yourself; its secret is in this answer only."""
    return _created(ctx, user, user.id, body.label)


@router.delete("/me/tokens/{token_id}", dependencies=[Needs(P.SIGNED_IN)])
def revoke_my_token(ctx: Ctx, user: CurrentUser, token_id: str) -> TokenPublic:
    """Revoke one of your tokens."""
    token = accounts.revoke_token(ctx.uow(user), token_id, ctx.now(), by=user, owner=user.id)
    return TokenPublic.of(token)


@router.get("/users", dependencies=[Needs(P.USERS_MANAGE)])
def users(ctx: Ctx, user: CurrentUser) -> list[UserPublic]:
    """Every user."""
    return [UserPublic.of(u) for u in accounts.list_users(ctx.uow(user))]


@router.post("/users", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.USERS_MANAGE)])
def create_user(ctx: Ctx, user: CurrentUser, body: UserCreate) -> UserCreatedPublic:
    """Add a user; without a password, one is generated and returned once."""
    created, generated = accounts.add_user(ctx.uow(user), body.name, body.role, ctx.now(), by=user,
                                           display_name=body.display_name, password=body.password)
    return UserCreatedPublic(user=UserPublic.of(created), generated_password=generated)


@router.patch("/users/{user_id}", dependencies=[Needs(P.USERS_MANAGE)])
def change_user(ctx: Ctx, user: CurrentUser, user_id: str, body: UserUpdate) -> UserPublic:
    """Change a user's role, suspend or reinstate them, or reset their second factor."""
    changed = accounts.change_user(ctx.uow(user), user_id, ctx.now(), by=user, role=body.role, active=body.active,
                                   reset_second_factor=body.reset_second_factor)
    return UserPublic.of(changed)


@router.post("/users/{user_id}/tokens", status_code=status.HTTP_201_CREATED, dependencies=[Needs(P.USERS_MANAGE)])
def create_token(ctx: Ctx, user: CurrentUser, user_id: str, body: TokenCreate) -> TokenCreatedPublic:
    """A new API token for a user; its secret is in this answer only."""
    return _created(ctx, user, user_id, body.label)


@router.get("/tokens", dependencies=[Needs(P.USERS_MANAGE)])
def tokens(ctx: Ctx, user: CurrentUser) -> list[TokenPublic]:
    """Every API token (never their secrets)."""
    return [TokenPublic.of(t) for t in accounts.list_tokens(ctx.uow(user))]


@router.delete("/tokens/{token_id}", dependencies=[Needs(P.USERS_MANAGE)])
def revoke_token(ctx: Ctx, user: CurrentUser, token_id: str) -> TokenPublic:
    """Revoke any token."""
    token = accounts.revoke_token(ctx.uow(user), token_id, ctx.now(), by=user)
    return TokenPublic.of(token)


@router.get("/audit", dependencies=[Needs(P.AUDIT_READ)])
def audit_log(ctx: Ctx, user: CurrentUser, action: Annotated[AuditAction | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=audit.MAX_AUDIT_PAGE)] = 100,
              offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> AuditPagePublic:
    """The audit log, newest first."""
    entries, total = audit.list_entries(ctx.uow(user), limit, offset, action)
    return AuditPagePublic(total=total, entries=[AuditEntryPublic.of(e) for e in entries])
