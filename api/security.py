"""Bearer tokens: short-lived JWTs from the password flow, or long-lived API tokens (`cop_...`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from workflows.domain.errors import Unauthenticated

ALGORITHM = "HS256"
EPOCH = "sep"  # the user's session epoch when the token was issued (see `workflows.services.sessions`)


def create_access_token(*, user_id: int, secret: str, minutes: int, epoch: int = 0,
                        now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=minutes), "typ": "access",
              EPOCH: epoch}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def session_of_access_token(token: str, *, secret: str) -> tuple[int, int]:
    """The user id and session epoch in a valid access token; says why a token is refused.
    A token without an epoch (issued before epochs existed) counts as epoch 0."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the access token has expired; log in again") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("the access token is not valid") from exc
    epoch = claims.get(EPOCH, 0)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise Unauthenticated("the access token is not valid") from exc
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        raise Unauthenticated("the access token is not valid")
    return user_id, epoch
