from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import CurrentActor, ServicesDep, SettingsDep
from api.login_pool import LoginPool
from api.routes.auth import client_address
from api.schemas import PasswordChange, PasswordReset, TokenCreate, TokenResponse, UserCreate, UserUpdate
from api.security import create_access_token
from workflows.services import auth, sessions, user_changes, users
from workflows.services.auth import ApiTokenView, IssuedToken
from workflows.services.views import UserView

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=list[UserView], summary="All users, filtered by group, role, active (admin)")
def list_users(actor: CurrentActor, svc: ServicesDep,
               group: Annotated[str | None, Query(max_length=60, examples=["finance"])] = None,
               role: Annotated[str | None, Query(max_length=30, examples=["reviewer"])] = None,
               active: bool | None = None,
               q: Annotated[str | None, Query(max_length=100, description="part of the login or name")] = None
               ) -> list[UserView]:
    return user_changes.find_users(svc, actor=actor, group=group, role=role, active=active, q=q)


@router.post("/me/password", response_model=TokenResponse,
             summary="Change one's own password (the old one required); every session ends, a new token is "
                     "returned")
async def change_own_password(body: PasswordChange, request: Request, actor: CurrentActor, svc: ServicesDep,
                              settings: SettingsDep) -> TokenResponse:
    """Checked on the login threads; a wrong old password counts as a failed login (429 after too many)."""
    pool: LoginPool = request.app.state.logins
    epoch = await pool.run(partial(sessions.change_own_password, svc, actor=actor, old_password=body.old_password,
                                   new_password=body.new_password, address=client_address(request)))
    assert actor.id is not None
    token = create_access_token(user_id=actor.id, secret=settings.secret_key, minutes=settings.token_minutes,
                                epoch=epoch)
    return TokenResponse(access_token=token, expires_in=settings.token_minutes * 60)


@router.post("", response_model=UserView, status_code=201, summary="Create a user (admin)")
def create(body: UserCreate, actor: CurrentActor, svc: ServicesDep) -> UserView:
    return users.add_user(svc, actor=actor, login=body.login, groups=body.groups, roles=body.roles,
                          is_admin=body.is_admin, password=body.password, display_name=body.display_name,
                          email=body.email, locale=body.locale)


@router.get("/{user_id}", response_model=UserView, summary="One user (admin, or oneself)")
def get(user_id: UserId, actor: CurrentActor, svc: ServicesDep) -> UserView:
    return auth.get_user(svc, actor=actor, user_id=user_id)


@router.patch("/{user_id}", response_model=UserView,
              summary="Change a user (admin: anything, `active: true` reactivates; oneself: display name, language)")
def change(user_id: UserId, body: UserUpdate, actor: CurrentActor, svc: ServicesDep) -> UserView:
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k == "email"}
    return user_changes.update_user(svc, actor=actor, user_id=user_id, changes=changes)


@router.post("/{user_id}/password", status_code=204, response_class=Response,
             summary="Set a user's password (admin); their sessions end, API tokens stay valid")
async def reset_password(user_id: UserId, body: PasswordReset, request: Request, actor: CurrentActor,
                         svc: ServicesDep) -> Response:
    pool: LoginPool = request.app.state.logins
    await pool.run(partial(sessions.reset_password, svc, actor=actor, user_id=user_id, password=body.password))
    return Response(status_code=204)


@router.post("/{user_id}/deactivate", response_model=UserView, summary="Deactivate a user (admin)")
def deactivate(user_id: UserId, actor: CurrentActor, svc: ServicesDep) -> UserView:
    return auth.deactivate_user(svc, actor=actor, user_id=user_id)


@router.post("/{user_id}/logout-all", status_code=204, response_class=Response,
             summary="Log a user out everywhere (admin, or oneself); API tokens stay valid")
def logout_all(user_id: UserId, actor: CurrentActor, svc: ServicesDep) -> Response:
    sessions.end_sessions(svc, actor=actor, user_id=user_id)
    return Response(status_code=204)


@router.get("/{user_id}/tokens", response_model=list[ApiTokenView], summary="A user's API tokens (admin)")
def tokens(user_id: UserId, actor: CurrentActor, svc: ServicesDep) -> list[ApiTokenView]:
    return auth.list_api_tokens(svc, actor=actor, user_id=user_id)


@router.post("/{user_id}/tokens", response_model=IssuedToken, status_code=201,
             summary="Issue a long-lived API token (admin); the token is shown only in this answer")
def issue(user_id: UserId, body: TokenCreate, actor: CurrentActor, svc: ServicesDep) -> IssuedToken:
    return auth.issue_api_token(svc, actor=actor, user_id=user_id, name=body.name, expires_at=body.expires_at)


@router.delete("/{user_id}/tokens/{token_id}", status_code=204, response_class=Response,
               summary="Revoke an API token (admin)")
def revoke(user_id: UserId, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], actor: CurrentActor,
           svc: ServicesDep) -> Response:
    auth.revoke_api_token(svc, actor=actor, token_id=token_id, user_id=user_id)
    return Response(status_code=204)
