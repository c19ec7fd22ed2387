"""The UI's session: a signed cookie holding the user id, their session epoch, a CSRF token and
the chosen language.

The cookie is HttpOnly and SameSite=Lax; it is signed (itsdangerous) with the secret key and
expires when unused for the access-token lifetime (using it renews it). Nothing is stored on
the server: API processes stay stateless. Logging out raises the user's session epoch in the
database, so every cookie of the user signed before (a copy, another browser) stops working
(see `workflows.services.sessions`). A browser gets a session (with a CSRF token but no
user) on its first page, so the login form is protected too.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "channelops_session"
SALT = "channelops-ui-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Session:
    csrf: str
    user_id: int | None = None
    locale: str | None = None
    changed: bool = False
    epoch: int = 0  # the user's session epoch at log-in

    def login(self, user_id: int, *, epoch: int) -> Session:
        """A new CSRF token at log-in, so a token seen before it cannot be reused."""
        return Session(csrf=secrets.token_urlsafe(32), user_id=user_id, locale=self.locale, changed=True,
                       epoch=epoch)

    def logout(self) -> Session:
        return Session(csrf=secrets.token_urlsafe(32), locale=self.locale, changed=True)

    def with_locale(self, locale: str) -> Session:
        return replace(self, locale=locale, changed=True)

    def csrf_matches(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def load(request: Request, *, secret: str, max_age: int) -> Session:
    """The session in the request's cookie, or a fresh anonymous one (marked changed).

    A logged-in session used in the second half of its life is marked changed, so the page
    signs it again and someone working through the day is not logged out; one left unused for
    `max_age` expires.
    """
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data: dict[str, Any]
            data, signed_at = _serializer(secret).loads(raw, max_age=max_age, return_timestamp=True)
            uid = data.get("uid")
            user_id = uid if isinstance(uid, int) else None
            epoch = data.get("ep", 0)  # cookies signed before epochs existed: 0
            age = (datetime.now(UTC) - signed_at).total_seconds()
            return Session(csrf=str(data["csrf"]), user_id=user_id,
                           locale=data.get("locale") if isinstance(data.get("locale"), str) else None,
                           changed=user_id is not None and age > max_age / 2,
                           epoch=epoch if isinstance(epoch, int) else -1)
        except (BadSignature, KeyError, TypeError, ValueError):
            pass
    return Session(csrf=secrets.token_urlsafe(32), changed=True)


def store(response: Response, session: Session, *, secret: str, max_age: int, secure: bool) -> None:
    """Write the session cookie when it changed."""
    if not session.changed:
        return
    value = _serializer(secret).dumps({"uid": session.user_id, "csrf": session.csrf, "locale": session.locale,
                                       "ep": session.epoch})
    response.set_cookie(COOKIE, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/")
