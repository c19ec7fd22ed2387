from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import CurrentActor, ServicesDep
from api.schemas import TokenCreate, UserCreate
from workflows.services import auth, sessions, users
from workflows.services.auth import ApiTokenView, IssuedToken
from workflows.services.views import UserView

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=list[UserView], summary="All users (admin)")
def list_users(actor: CurrentActor, svc: ServicesDep) -> list[UserView]:
    return auth.list_users(svc, actor=actor)


@router.post("", response_model=UserView, status_code=201, summary="Create a user (admin)")
def create(body: UserCreate, actor: CurrentActor, svc: ServicesDep) -> UserView:
    return users.add_user(svc, actor=actor, login=body.login, groups=body.groups, roles=body.roles,
                          is_admin=body.is_admin, password=body.password, display_name=body.display_name,
                          email=body.email, locale=body.locale)


@router.get("/{user_id}", response_model=UserView, summary="One user (admin, or oneself)")
def get(user_id: UserId, actor: CurrentActor, svc: ServicesDep) -> UserView:
    return auth.get_user(svc, actor=actor, user_id=user_id)


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
