"""Coordinators manage users, their roles and second factors, and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dutycare.domain.errors import InvalidInput
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, WebContext
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import accounts
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.access import Role
from dutycare.service_layer.accounts import User

router = APIRouter(include_in_schema=False)


def _users_page(request: Request, ctx: WebContext, user: User, *, status: int = 200, **extra: object) -> Response:
    users = accounts.list_users(ctx.uow(user))
    tokens = accounts.list_tokens(ctx.uow(user))
    names = {u.id: u.name for u in users}
    values = {"users": users, "tokens": tokens, "names": names, "roles": [r.value for r in Role],
              "created": None, "secret": None, "errors": {}, **extra}
    return page(request, "users.html", status_code=status, **values)


@router.get("/users", dependencies=[Needs(P.USERS_MANAGE)])
def users_page(request: Request, ctx: Ctx, user: CurrentUser) -> Response:
    """Users and tokens."""
    return _users_page(request, ctx, user)


@router.post("/users", dependencies=[Needs(P.USERS_MANAGE)])
def create_user(request: Request, ctx: Ctx, user: CurrentUser, name: Annotated[str, Form()] = "",
                role: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "") -> Response:
    """Add a user with a generated password, shown once."""
    try:
        created, password = accounts.add_user(ctx.uow(user), name.strip().lower(), role, ctx.now(), by=user,
                                              display_name=display_name or None)
    except InvalidInput as exc:
        return _users_page(request, ctx, user, status=422, errors={p.field: p.message for p in exc.problems})
    return _users_page(request, ctx, user, created=created, secret=password)


@router.post("/users/{user_id}", dependencies=[Needs(P.USERS_MANAGE)])
def change_user(ctx: Ctx, user: CurrentUser, user_id: str, role: Annotated[str, Form()] = "",
                active: Annotated[str, Form()] = "", reset_second_factor: Annotated[str, Form()] = "") -> Response:
    """Change a user's role, suspend or reinstate them, or reset their second factor."""
    accounts.change_user(ctx.uow(user), user_id, ctx.now(), by=user, role=role or None,
                         active={"yes": True, "no": False}.get(active),
                         reset_second_factor=reset_second_factor == "yes")
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/tokens", dependencies=[Needs(P.USERS_MANAGE)])
def create_token_for(request: Request, ctx: Ctx, user: CurrentUser, user_id: str,
                     label: Annotated[str, Form()] = "") -> Response:
    """Create an API token for a user; the secret is shown once."""
    _token, secret = accounts.create_token(ctx.uow(user), user_id, label, ctx.now(), by=user)
    return _users_page(request, ctx, user, secret=secret)


@router.post("/tokens/{token_id}/revoke", dependencies=[Needs(P.USERS_MANAGE)])
def revoke_any_token(ctx: Ctx, user: CurrentUser, token_id: str) -> Response:
    """Revoke any token."""
    accounts.revoke_token(ctx.uow(user), token_id, ctx.now(), by=user)
    return RedirectResponse("/users", status_code=303)
