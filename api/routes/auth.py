from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import CurrentActor, ServicesDep, SettingsDep
from api.login_pool import LoginPool
from api.schemas import TokenResponse
from api.security import create_access_token
from workflows.services import auth, logins, sessions
from workflows.services.views import UserView

router = APIRouter(tags=["auth"])


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenResponse, summary="Log in (OAuth2 password flow)")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, svc: ServicesDep,
                settings: SettingsDep) -> TokenResponse:
    """Too many failed logins for a name or an address: 429 with Retry-After. The password is
    checked on the login threads, never on the request threads; when too many wait: 503."""
    pool: LoginPool = request.app.state.logins
    actor = await pool.run(partial(logins.log_in, svc, login=form.username, password=form.password,
                                   address=client_address(request)))
    assert actor.id is not None
    # Wall-clock time on purpose: PyJWT checks `exp` against the wall clock, not the service clock.
    token = create_access_token(user_id=actor.id, secret=settings.secret_key, minutes=settings.token_minutes,
                                epoch=actor.session_epoch)
    return TokenResponse(access_token=token, expires_in=settings.token_minutes * 60)


@router.post("/auth/logout-all", status_code=204, response_class=Response,
             summary="Log out everywhere: end every session and access token of the caller")
def logout_all(actor: CurrentActor, svc: ServicesDep) -> Response:
    assert actor.id is not None
    sessions.end_sessions(svc, actor=actor, user_id=actor.id)
    return Response(status_code=204)


@router.get("/users/me", response_model=UserView, tags=["users"], summary="Who am I")
def me(actor: CurrentActor, svc: ServicesDep) -> UserView:
    assert actor.id is not None
    return auth.get_user(svc, actor=actor, user_id=actor.id)
