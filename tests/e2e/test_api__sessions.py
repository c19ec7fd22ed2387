"""Sessions that end: log out everywhere, a password change, a deactivation. API tokens are not sessions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.support.fixtures import LoginFactory
from tests.support.passwords import CountingHasher
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.auth import deactivate_user
from workflows.services.context import Services
from workflows.services.passwords import Passwords
from workflows.services.sessions import change_password
from workflows.services.users import add_user

TOKEN = "/api/v1/auth/token"
PASSWORD = "right password"


@pytest.fixture
def fast(svc: Services) -> Services:
    svc.passwords = Passwords(hasher=CountingHasher())
    return svc


def _bearer(client: TestClient, login: str, password: str = PASSWORD) -> dict[str, str]:
    answer = client.post(TOKEN, data={"username": login, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/users/me", headers=headers).status_code


def test_logging_out_everywhere_ends_every_token_of_the_caller_and_no_one_elses(fast: Services,
                                                                               client: TestClient) -> None:
    for login in ("li", "wang"):
        add_user(fast, actor=SYSTEM, login=login, password=PASSWORD)
    li_laptop, li_phone, wang = _bearer(client, "li"), _bearer(client, "li"), _bearer(client, "wang")
    assert client.post("/api/v1/auth/logout-all", headers=li_laptop).status_code == 204
    refused = client.get("/api/v1/users/me", headers=li_phone)
    assert refused.status_code == 401 and "session has ended" in refused.json()["detail"]
    assert _me(client, li_laptop) == 401
    assert _me(client, wang) == 200
    assert client.get("/api/v1/users/me", headers=_bearer(client, "li")).json()["login"] == "li"


def test_logging_out_everywhere_is_audited(fast: Services, client: TestClient) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    client.post("/api/v1/auth/logout-all", headers=_bearer(client, "li"))
    with fast.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.action == "sessions_ended")
                                ).mappings().all()
    assert [(r["entity_id"], r["actor_login"], r["data"]) for r in rows] == [(str(user.id), "li",
                                                                              {"session_epoch": 1})]


def test_an_admin_logs_another_user_out_everywhere(fast: Services, client: TestClient,
                                                  login_as: LoginFactory) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    li = _bearer(client, "li")
    assert client.post(f"/api/v1/users/{user.id}/logout-all", headers=login_as(admin=True)).status_code == 204
    assert _me(client, li) == 401


def test_a_user_may_not_log_someone_else_out(fast: Services, client: TestClient, login_as: LoginFactory) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    li = _bearer(client, "li")
    refused = client.post(f"/api/v1/users/{user.id}/logout-all", headers=login_as("finance"))
    assert refused.status_code == 403
    assert _me(client, li) == 200


def test_an_api_token_outlives_logging_out_everywhere(fast: Services, client: TestClient,
                                                     login_as: LoginFactory) -> None:
    user = add_user(fast, actor=SYSTEM, login="erp", password=PASSWORD)
    issued = client.post(f"/api/v1/users/{user.id}/tokens", headers=login_as(admin=True), json={"name": "sync"})
    api_token = {"Authorization": f"Bearer {issued.json()['token']}"}
    client.post("/api/v1/auth/logout-all", headers=_bearer(client, "erp"))
    assert _me(client, api_token) == 200


def test_a_password_change_ends_the_users_sessions(fast: Services, client: TestClient) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    old = _bearer(client, "li")
    change_password(fast, actor=SYSTEM, user_id=user.id, password="a new password")
    assert _me(client, old) == 401
    assert client.post(TOKEN, data={"username": "li", "password": PASSWORD}).status_code == 401
    assert _me(client, _bearer(client, "li", "a new password")) == 200


def test_a_user_activated_again_does_not_get_the_old_sessions_back(fast: Services, client: TestClient) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    old = _bearer(client, "li")
    deactivate_user(fast, actor=SYSTEM, user_id=user.id)
    assert _me(client, old) == 401
    with fast.uow() as uow:  # activated again (as an admin would)
        uow.conn.execute(update(t.users).where(t.users.c.id == user.id).values(active=True))
        uow.commit()
    fast.actors.forget(user.id)
    assert _me(client, old) == 401
    assert _me(client, _bearer(client, "li")) == 200
