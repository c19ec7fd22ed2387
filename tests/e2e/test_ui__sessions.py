"""Logging out of the web UI ends the session for good: a copied cookie, other browsers, the user's tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.ui import session
from tests.support.passwords import CountingHasher
from tests.support.ui import ui_login
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.auth import deactivate_user
from workflows.services.context import Services
from workflows.services.passwords import Passwords
from workflows.services.users import actor_for, add_user

PASSWORD = "correct horse"


@pytest.fixture
def fast(svc: Services) -> Services:
    svc.passwords = Passwords(hasher=CountingHasher())
    for login in ("li", "wang"):
        add_user(svc, actor=SYSTEM, login=login, groups=["finance"], password=PASSWORD)
    return svc


def _browser(client: TestClient, login: str) -> tuple[TestClient, str]:
    """A new browser (own cookie jar) on the same app, logged in as `login`; with its CSRF token."""
    other = TestClient(client.app)
    return other, ui_login(other, login, PASSWORD)


def _inbox(client: TestClient, cookie: str) -> str:
    """Where GET /inbox leads with this session cookie: "page", or the redirect's location."""
    client.cookies.clear()
    client.cookies.set(session.COOKIE, cookie)
    answer = client.get("/inbox", follow_redirects=False)
    return "page" if answer.status_code == 200 else answer.headers["location"]


def test_a_cookie_copied_before_logout_leads_to_the_login_page_after_it(fast: Services, client: TestClient) -> None:
    csrf = ui_login(client, "li", PASSWORD)
    copied = client.cookies[session.COOKIE]
    assert client.post("/logout", data={"csrf_token": csrf}).url.path == "/login"
    thief = TestClient(client.app)
    assert _inbox(thief, copied) == "/login?next=/inbox"


def test_logging_in_again_after_a_logout_opens_the_inbox(fast: Services, client: TestClient) -> None:
    csrf = ui_login(client, "li", PASSWORD)
    client.post("/logout", data={"csrf_token": csrf})
    ui_login(client, "li", PASSWORD)
    assert client.get("/inbox", follow_redirects=False).status_code == 200


def test_logging_out_ends_the_users_other_browsers_and_tokens_but_not_other_users(fast: Services,
                                                                                 client: TestClient) -> None:
    csrf = ui_login(client, "li", PASSWORD)
    phone, _ = _browser(client, "li")
    colleague, _ = _browser(client, "wang")
    token = client.post("/api/v1/auth/token", data={"username": "li", "password": PASSWORD}).json()["access_token"]
    client.post("/logout", data={"csrf_token": csrf})
    assert phone.get("/inbox", follow_redirects=False).headers["location"] == "/login?next=/inbox"
    assert client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert colleague.get("/inbox").status_code == 200


def test_logging_out_everywhere_through_the_api_ends_the_ui_session(fast: Services, client: TestClient) -> None:
    ui_login(client, "li", PASSWORD)
    token = client.post("/api/v1/auth/token", data={"username": "li", "password": PASSWORD}).json()["access_token"]
    client.post("/api/v1/auth/logout-all", headers={"Authorization": f"Bearer {token}"})
    assert client.get("/inbox", follow_redirects=False).headers["location"] == "/login?next=/inbox"


def test_a_deactivation_ends_the_session_even_if_the_user_returns(fast: Services, client: TestClient) -> None:
    ui_login(client, "li", PASSWORD)
    cookie = client.cookies[session.COOKIE]
    user_id = actor_for(fast, login="li").id or 0
    deactivate_user(fast, actor=SYSTEM, user_id=user_id)
    with fast.uow() as uow:
        uow.conn.execute(update(t.users).where(t.users.c.id == user_id).values(active=True))
        uow.commit()
    fast.actors.forget(user_id)
    assert _inbox(TestClient(client.app), cookie) == "/login?next=/inbox"


def test_the_logout_button_says_it_ends_every_session(fast: Services, client: TestClient) -> None:
    ui_login(client, "li", PASSWORD)
    page = client.get("/inbox")
    assert 'title="在所有浏览器中退出，并使所有登录令牌失效">退出登录</button>' in page.text
