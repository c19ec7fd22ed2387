"""Dependencies shared by the routes: the services, the settings and the calling actor."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.security import AccessTokens
from channelops.settings import Settings
from workflows.domain.errors import Unauthenticated
from workflows.domain.principals import Actor
from workflows.services import auth
from workflows.services.auth import TOKEN_PREFIX
from workflows.services.context import Services


# Cheap dependencies are `async def` so FastAPI runs them inline instead of hopping to a thread.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class BearerActor(OAuth2PasswordBearer):
    """The caller, as the OAuth2 password-flow security scheme of the OpenAPI document.

    One dependency reads the bearer token and resolves the actor: every route needs it, and
    each dependency FastAPI solves per request costs CPU. A known user costs no thread hop and
    no database read (`auth.known_actor`, and `AccessTokens` for the token's signature); the
    database is read in a worker thread, never on the event loop. An access token whose session
    epoch is no longer the user's (logged out everywhere, password changed) is refused.
    """

    def __init__(self) -> None:
        # The scheme keeps the name the OpenAPI document has always given it.
        super().__init__(tokenUrl="/api/v1/auth/token", scheme_name="OAuth2PasswordBearer", auto_error=False)

    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]
        token = await super().__call__(request)
        if not token:
            raise Unauthenticated("log in first: send `Authorization: Bearer <token>`")
        svc: Services = request.app.state.services
        if token.startswith(TOKEN_PREFIX):
            return await anyio.to_thread.run_sync(partial(auth.actor_for_api_token, svc, token=token))
        tokens: AccessTokens = request.app.state.access_tokens
        user_id, epoch = tokens.session(token)
        cached = auth.known_actor(svc, user_id=user_id, epoch=epoch)
        if cached is not None:
            return cached
        return await anyio.to_thread.run_sync(partial(auth.actor_by_id, svc, user_id=user_id, epoch=epoch))


current_actor = BearerActor()
CurrentActor = Annotated[Actor, Depends(current_actor)]
