"""Bearer tokens: short-lived JWTs from the password flow, or long-lived API tokens (`cop_...`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt

from workflows.domain.errors import Unauthenticated

ALGORITHM = "HS256"
EXPIRED = "the access token has expired; log in again"


def create_access_token(*, user_id: int, secret: str, minutes: int, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=minutes), "typ": "access"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def user_id_from_access_token(token: str, *, secret: str) -> int:
    """The user id in a valid access token; says why a token is refused."""
    return _verify(token, secret=secret)[0]


def _verify(token: str, *, secret: str) -> tuple[int, float]:
    """The user id and the expiry (epoch seconds) of a valid access token."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated(EXPIRED) from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("the access token is not valid") from exc
    try:
        return int(claims["sub"]), float(claims["exp"])
    except (TypeError, ValueError) as exc:
        raise Unauthenticated("the access token is not valid") from exc


class AccessTokens:
    """Verifies access tokens for one secret, remembering the last `size` valid ones until they expire.

    A client sends the same token with every request; checking its signature and claims each
    time is a measurable share of a request's CPU. Only tokens whose signature was verified are
    kept, keyed by the whole token text, so a remembered token is exactly one that was valid;
    its expiry is still checked on every use. Safe to share between threads (plain dict
    operations); when full, it starts again empty.
    """

    def __init__(self, secret: str, *, size: int = 4096, seconds: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._size = size
        self._seconds = seconds
        self._valid: dict[str, tuple[int, float]] = {}

    def user_id(self, token: str) -> int:
        """Like `user_id_from_access_token`, with the same refusals."""
        found = self._valid.get(token)
        if found is not None:
            if self._seconds() < found[1]:
                return found[0]
            self._valid.pop(token, None)
            raise Unauthenticated(EXPIRED)
        user_id, expires = _verify(token, secret=self._secret)
        if len(self._valid) >= self._size:
            self._valid.clear()
        self._valid[token] = (user_id, expires)
        return user_id
