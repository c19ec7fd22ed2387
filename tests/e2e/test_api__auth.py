"""Logging in, tokens and their refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.security import create_access_token
from channelops.settings import Settings
from tests.support.fixtures import LoginFactory
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import add_user


def test_a_user_logs_in_with_the_password_flow(client: TestClient, svc: Services) -> None:
    add_user(svc, actor=SYSTEM, login="li", groups=["finance"], password="s3cret-pass")
    answer = client.post("/api/v1/auth/token", data={"username": "li", "password": "s3cret-pass"})
    assert answer.status_code == 200
    token = answer.json()["access_token"]
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["login"] == "li"


def test_a_refused_login_does_not_reveal_whether_the_login_exists(client: TestClient, svc: Services) -> None:
    add_user(svc, actor=SYSTEM, login="wang", password="right-password")
    wrong = client.post("/api/v1/auth/token", data={"username": "wang", "password": "wrong-password"})
    unknown = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["content-type"] == "application/problem+json"


def test_an_expired_token_is_refused_and_says_why(client: TestClient, svc: Services, settings: Settings) -> None:
    user = add_user(svc, actor=SYSTEM, login="zhao")
    old = create_access_token(user_id=user.id, secret=settings.secret_key, minutes=5,
                              now=datetime.now(UTC) - timedelta(hours=1))
    answer = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {old}"})
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    answer = client.get("/api/v1/tasks")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_an_api_token_works_until_it_is_revoked(client: TestClient, svc: Services, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    erp = add_user(svc, actor=SYSTEM, login="erp", roles=["channel_manager"])
    issued = client.post(f"/api/v1/users/{erp.id}/tokens", headers=admin, json={"name": "erp-sync"})
    assert issued.status_code == 201
    token = issued.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/users/me", headers=headers).json()["login"] == "erp"
    listed = client.get(f"/api/v1/users/{erp.id}/tokens", headers=admin).json()
    assert "token" not in listed[0] and listed[0]["prefix"] == token[:12]
    assert client.delete(f"/api/v1/users/{erp.id}/tokens/{listed[0]['id']}", headers=admin).status_code == 204
    refused = client.get("/api/v1/users/me", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


def test_a_deactivated_user_is_refused(client: TestClient, svc: Services, login_as: LoginFactory,
                                       settings: Settings) -> None:
    admin = login_as(admin=True)
    user = add_user(svc, actor=SYSTEM, login="gone", groups=["it"])
    token = create_access_token(user_id=user.id, secret=settings.secret_key, minutes=5)
    assert client.post(f"/api/v1/users/{user.id}/deactivate", headers=admin).status_code == 200
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_user_deactivated_while_their_token_is_in_use_is_refused_at_once(
        client: TestClient, svc: Services, login_as: LoginFactory, settings: Settings) -> None:
    admin = login_as(admin=True)
    user = add_user(svc, actor=SYSTEM, login="busy", groups=["it"])
    headers = {"Authorization": f"Bearer {create_access_token(user_id=user.id, secret=settings.secret_key, minutes=5)}"}
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    assert client.post(f"/api/v1/users/{user.id}/deactivate", headers=admin).status_code == 200
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
