from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentActor, ServicesDep, SettingsDep
from api.schemas import TokenResponse
from api.security import create_access_token
from workflows.services import auth
from workflows.services.views import UserView

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenResponse, summary="Log in (OAuth2 password flow)")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], svc: ServicesDep,
          settings: SettingsDep) -> TokenResponse:
    actor = auth.authenticate(svc, login=form.username, password=form.password)
    assert actor.id is not None
    # Wall-clock time on purpose: PyJWT checks `exp` against the wall clock, not the service clock.
    token = create_access_token(user_id=actor.id, secret=settings.secret_key, minutes=settings.token_minutes)
    return TokenResponse(access_token=token, expires_in=settings.token_minutes * 60)


@router.get("/users/me", response_model=UserView, tags=["users"], summary="Who am I")
def me(actor: CurrentActor, svc: ServicesDep) -> UserView:
    assert actor.id is not None
    return auth.get_user(svc, actor=actor, user_id=actor.id)
