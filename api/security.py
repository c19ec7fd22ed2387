"""Bearer tokens: short-lived JWTs from the password flow, or long-lived API tokens (`cop_...`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from workflows.domain.errors import Unauthenticated

ALGORITHM = "HS256"


def create_access_token(*, user_id: int, secret: str, minutes: int, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=minutes), "typ": "access"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def user_id_from_access_token(token: str, *, secret: str) -> int:
    """The user id in a valid access token; says why a token is refused."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the access token has expired; log in again") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("the access token is not valid") from exc
    try:
        return int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise Unauthenticated("the access token is not valid") from exc
