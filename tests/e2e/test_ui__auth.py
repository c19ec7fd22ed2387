"""Logging in and out of the web UI: session cookie, CSRF, a clear refusal."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from api.ui import session
from channelops.settings import Settings
from tests.support.ui import csrf_of, ui_login
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import add_user

PASSWORD = "correct horse"


def _user(svc: Services, login: str = "zhao.finance", **extra: object) -> None:
    add_user(svc, actor=SYSTEM, login=login, groups=["finance"], password=PASSWORD, **extra)  # type: ignore[arg-type]


def test_logging_in_sets_an_httponly_samesite_session_cookie(svc: Services, client: TestClient) -> None:
    _user(svc)
    token = csrf_of(client.get("/login"))
    response = client.post("/login", data={"username": "zhao.finance", "password": PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


def test_a_failed_login_says_so_the_same_way_whether_or_not_the_login_exists(svc: Services,
                                                                              client: TestClient) -> None:
    _user(svc)
    answers = []
    for login in ("zhao.finance", "no.such.user"):
        token = csrf_of(client.get("/login"))
        response = client.post("/login", data={"username": login, "password": "wrong", "csrf_token": token})
        answers.append((response.status_code, response.text.replace(login, "LOGIN").replace(token, "TOKEN")))
        assert "登录名或密码错误" in response.text
    assert answers[0][0] == answers[1][0] == 401
    assert answers[0][1] == answers[1][1]


def test_a_form_without_the_session_csrf_token_is_refused(svc: Services, client: TestClient) -> None:
    _user(svc)
    client.get("/login")
    response = client.post("/login", data={"username": "zhao.finance", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403
    assert "表单已过期" in response.text
    assert client.get("/inbox", follow_redirects=False).status_code == 303


def test_an_htmx_post_needs_the_csrf_header_or_field(svc: Services, client: TestClient) -> None:
    _user(svc)
    token = ui_login(client, "zhao.finance", PASSWORD)
    refused = client.post("/inbox/tasks/1/claim", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert refused.headers["HX-Retarget"] == "#messages"
    allowed = client.post("/inbox/tasks/1/claim", headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert allowed.status_code == 404  # past the CSRF check: there is no task 1


def test_logging_out_ends_the_session(svc: Services, client: TestClient) -> None:
    _user(svc)
    token = ui_login(client, "zhao.finance", PASSWORD)
    assert client.get("/inbox").status_code == 200
    response = client.post("/logout", data={"csrf_token": token})
    assert response.url.path == "/login"
    assert client.get("/inbox", follow_redirects=False).headers["location"] == "/login?next=/inbox"


def test_a_deactivated_user_is_logged_out(svc: Services, client: TestClient) -> None:
    from workflows.services.auth import deactivate_user
    from workflows.services.users import actor_for

    _user(svc)
    ui_login(client, "zhao.finance", PASSWORD)
    deactivate_user(svc, actor=SYSTEM, user_id=actor_for(svc, login="zhao.finance").id or 0)
    assert client.get("/inbox", follow_redirects=False).status_code == 303


def test_after_login_the_user_lands_on_the_page_they_asked_for_but_never_elsewhere(svc: Services,
                                                                                     client: TestClient) -> None:
    _user(svc)
    for wanted, landed in (("/dashboard", "/dashboard"), ("https://evil.example/", "/inbox"),
                           ("//evil.example", "/inbox")):
        client.cookies.clear()
        token = csrf_of(client.get("/login"))
        response = client.post("/login", data={"username": "zhao.finance", "password": PASSWORD,
                                                "csrf_token": token, "next": wanted})
        assert response.url.path == landed
        assert response.url.host == "testserver"


def _session_signed_hours_ago(settings: Settings, user_id: int, hours: float) -> str:
    class SignedEarlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - hours * 3600)

    serializer = URLSafeTimedSerializer(settings.secret_key, salt=session.SALT, signer=SignedEarlier)
    return serializer.dumps({"uid": user_id, "csrf": "csrf-token-of-the-test", "locale": None})


def test_a_session_in_use_late_in_its_life_is_renewed(svc: Services, client: TestClient,
                                                      settings: Settings) -> None:
    user = add_user(svc, actor=SYSTEM, login="all.day", groups=["finance"])
    half = settings.token_minutes / 60 / 2
    client.cookies.set(session.COOKIE, _session_signed_hours_ago(settings, user.id, half + 0.5))
    page = client.get("/inbox", follow_redirects=False)
    assert page.status_code == 200
    assert session.COOKIE in page.headers["set-cookie"]  # signed again, with a fresh time
    client.cookies.set(session.COOKIE, _session_signed_hours_ago(settings, user.id, half - 0.5))
    again = client.get("/inbox", follow_redirects=False)
    assert again.status_code == 200 and "set-cookie" not in again.headers  # young enough: left as it is


def test_a_session_unused_for_its_whole_life_has_expired(svc: Services, client: TestClient,
                                                         settings: Settings) -> None:
    user = add_user(svc, actor=SYSTEM, login="away", groups=["finance"])
    client.cookies.set(session.COOKIE,
                       _session_signed_hours_ago(settings, user.id, settings.token_minutes / 60 + 0.1))
    assert client.get("/inbox", follow_redirects=False).status_code == 303
