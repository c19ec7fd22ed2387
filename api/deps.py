"""Dependencies shared by the routes: the services, the settings and the calling actor."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.security import session_of_access_token
from channelops.settings import Settings
from workflows.domain.errors import Unauthenticated
from workflows.domain.principals import Actor
from workflows.services import auth
from workflows.services.auth import TOKEN_PREFIX
from workflows.services.context import Services

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Cheap dependencies are `async def` so FastAPI runs them inline instead of hopping to a thread.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def current_actor(svc: ServicesDep, settings: SettingsDep,
                        token: Annotated[str | None, Depends(oauth2)]) -> Actor:
    """The caller. A known user costs no thread hop and no database read (`Services.actors`); the
    database is read in a worker thread, never on the event loop. An access token whose session
    epoch is no longer the user's (logged out everywhere, password changed) is refused."""
    if not token:
        raise Unauthenticated("log in first: send `Authorization: Bearer <token>`")
    if token.startswith(TOKEN_PREFIX):
        return await anyio.to_thread.run_sync(partial(auth.actor_for_api_token, svc, token=token))
    user_id, epoch = session_of_access_token(token, secret=settings.secret_key)
    cached = auth.known_actor(svc, user_id=user_id, epoch=epoch)
    if cached is not None:
        return cached
    return await anyio.to_thread.run_sync(partial(auth.actor_by_id, svc, user_id=user_id, epoch=epoch))


CurrentActor = Annotated[Actor, Depends(current_actor)]

