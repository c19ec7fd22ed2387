"""Bearer tokens: short-lived JWTs from the password flow, or long-lived API tokens (`cop_...`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt

from workflows.domain.errors import Unauthenticated

ALGORITHM = "HS256"
EPOCH = "sep"  # the user's session epoch when the token was issued (see `workflows.services.sessions`)
EXPIRED = "the access token has expired; log in again"
INVALID = "the access token is not valid"


def create_access_token(*, user_id: int, secret: str, minutes: int, epoch: int = 0,
                        now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=minutes), "typ": "access",
              EPOCH: epoch}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def session_of_access_token(token: str, *, secret: str) -> tuple[int, int]:
    """The user id and session epoch in a valid access token; says why a token is refused.
    A token without an epoch (issued before epochs existed) counts as epoch 0."""
    user_id, epoch, _ = _verify(token, secret=secret)
    return user_id, epoch


def _verify(token: str, *, secret: str) -> tuple[int, int, float]:
    """The user id, the session epoch and the expiry (epoch seconds) of a valid access token."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated(EXPIRED) from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated(INVALID) from exc
    epoch = claims.get(EPOCH, 0)
    try:
        user_id, expires = int(claims["sub"]), float(claims["exp"])
    except (TypeError, ValueError) as exc:
        raise Unauthenticated(INVALID) from exc
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        raise Unauthenticated(INVALID)
    return user_id, epoch, expires


class AccessTokens:
    """Verifies access tokens for one secret, remembering the last `size` valid ones until they expire.

    A client sends the same token with every request; checking its signature and claims each
    time is a measurable share of a request's CPU. Only tokens whose signature was verified are
    kept, keyed by the whole token text, so a remembered token is exactly one that was valid;
    its expiry is still checked on every use, and its session epoch is still compared with the
    user's by the caller. Safe to share between threads (plain dict operations); when full, it
    starts again empty.
    """

    def __init__(self, secret: str, *, size: int = 4096, seconds: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._size = size
        self._seconds = seconds
        self._valid: dict[str, tuple[int, int, float]] = {}

    def session(self, token: str) -> tuple[int, int]:
        """Like `session_of_access_token`, with the same refusals: (user id, session epoch)."""
        found = self._valid.get(token)
        if found is not None:
            if self._seconds() < found[2]:
                return found[0], found[1]
            self._valid.pop(token, None)
            raise Unauthenticated(EXPIRED)
        user_id, epoch, expires = _verify(token, secret=self._secret)
        if len(self._valid) >= self._size:
            self._valid.clear()
        self._valid[token] = (user_id, epoch, expires)
        return user_id, epoch

    def user_id(self, token: str) -> int:
        """The user id of a valid access token (see `session`)."""
        return self.session(token)[0]
