"""Helpers for UI tests over HTTP: log in through the form, read the CSRF token of a page."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from api.ui import session
from workflows.services.context import Services
from workflows.services.users import actor_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response: Any) -> str:
    """The CSRF token in a page's forms (`response` is the test client's response)."""
    found = CSRF.search(response.text)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def ui_login(client: TestClient, login: str, password: str) -> str:
    """Log in through the login form; returns the CSRF token of the new session."""
    token = csrf_of(client.get("/login"))
    response = client.post("/login", data={"username": login, "password": password, "csrf_token": token})
    assert response.status_code == 200, response.text[:500]
    return csrf_of(response)


def sign_in(client: TestClient, svc: Services, login: str) -> str:
    """Sign `login` in by setting a session cookie (no password hashing: fast); returns its CSRF token.

    The login form itself is tested in `tests/e2e/test_ui__auth.py`.
    """
    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    token = secrets.token_urlsafe(16)
    uid = actor_for(svc, login=login).id
    value = URLSafeTimedSerializer(secret, salt=session.SALT).dumps({"uid": uid, "csrf": token, "locale": None})
    client.cookies.clear()
    client.cookies.set(session.COOKIE, value)
    return token
