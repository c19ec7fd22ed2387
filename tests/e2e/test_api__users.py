"""Users through the API: an admin changes groups, roles, e-mail, language and the active flag
(reactivation too) and resets passwords; a user changes only their own name, language and password."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.fixtures import LoginFactory
from tests.support.passwords import CountingHasher
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.passwords import Passwords
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


def _audit(svc: Services, user_id: int) -> list[tuple[str, str, dict[str, object]]]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.entity_type == "user",
                                                             t.audit_events.c.entity_id == str(user_id))
                                .order_by(t.audit_events.c.id)).mappings().all()
    return [(r["action"], r["actor_login"], r["data"]) for r in rows]


def test_an_admin_moves_a_user_to_other_groups_and_the_change_is_audited(
        fast: Services, client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = add_user(fast, actor=SYSTEM, login="li", groups=["market"], email="li@old.example")
    answer = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                          json={"groups": ["finance", "committee"], "email": "li@example.com", "locale": "en",
                                "display_name": "李 Li"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["groups"], body["roles"], body["email"], body["locale"], body["display_name"]) == (
        ["committee", "finance"], ["committee", "reviewer"], "li@example.com", "en", "李 Li")
    assert client.get(f"/api/v1/users/{user.id}", headers=admin).json()["groups"] == ["committee", "finance"]
    [(action, _, data)] = _audit(fast, user.id)[1:]
    assert action == "changed"
    assert data["groups"] == [["market"], ["committee", "finance"]]
    assert data["email"] == ["li@old.example", "li@example.com"]


def test_a_user_can_only_be_put_in_groups_that_exist(fast: Services, client: TestClient,
                                                    login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = add_user(fast, actor=SYSTEM, login="li", groups=["market"])
    refused = client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"groups": ["market", "legal"]})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"path": "groups",
                                         "message": "unknown group 'legal': an admin creates it first"}]
    assert client.get(f"/api/v1/users/{user.id}", headers=admin).json()["groups"] == ["market"]
    created = client.post("/api/v1/users", headers=admin, json={"login": "wang", "password": "long enough",
                                                                "groups": ["region:nowhere"]})
    assert created.status_code == 422 and "unknown group 'region:nowhere'" in created.text


def test_an_admin_deactivates_and_reactivates_a_user_whose_old_sessions_stay_ended(
        fast: Services, client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    before = _bearer(client, "li")
    off = client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"active": False})
    assert off.json()["active"] is False
    assert client.get("/api/v1/users/me", headers=before).status_code == 401
    assert client.post(TOKEN, data={"username": "li", "password": PASSWORD}).status_code == 401
    listed = client.get("/api/v1/users?active=false", headers=admin).json()
    assert [u["login"] for u in listed] == ["li"]
    on = client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"active": True})
    assert on.status_code == 200 and on.json()["active"] is True
    assert client.get("/api/v1/users/me", headers=before).status_code == 401
    assert client.get("/api/v1/users/me", headers=_bearer(client, "li")).json()["login"] == "li"
    assert [a for a, _, _ in _audit(fast, user.id)] == ["created", "deactivated", "reactivated"]


def test_the_user_list_filters_by_group_role_and_active(fast: Services, client: TestClient,
                                                       login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    add_user(fast, actor=SYSTEM, login="li", groups=["finance"])
    add_user(fast, actor=SYSTEM, login="wang", groups=["sales"], roles=["channel_manager"])
    add_user(fast, actor=SYSTEM, login="zhao", roles=["viewer"])
    logins = lambda query: [u["login"] for u in client.get(f"/api/v1/users?{query}", headers=admin).json()]  # noqa: E731
    assert logins("group=finance") == ["li"]
    assert logins("role=channel_manager") == ["wang"]
    assert logins("role=reviewer") == ["li", "wang"]
    assert logins("q=zha") == ["zhao"]


def test_a_user_may_change_their_own_name_and_language_but_not_their_roles_or_groups(
        fast: Services, client: TestClient) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", groups=["market"], password=PASSWORD)
    mine = _bearer(client, "li")
    changed = client.patch(f"/api/v1/users/{user.id}", headers=mine, json={"display_name": "小李", "locale": "en"})
    assert (changed.status_code, changed.json()["display_name"], changed.json()["locale"]) == (200, "小李", "en")
    for escalation in ({"roles": ["admin"]}, {"is_admin": True}, {"groups": ["committee"]},
                       {"display_name": "x", "groups": ["market", "committee"]}, {"email": "me@example.com"}):
        refused = client.patch(f"/api/v1/users/{user.id}", headers=mine, json=escalation)
        assert refused.status_code == 403, escalation
        assert "only an admin" in refused.json()["detail"]
    me = client.get("/api/v1/users/me", headers=mine).json()
    assert (me["groups"], me["roles"], me["is_admin"]) == (["market"], ["reviewer"], False)
    other = add_user(fast, actor=SYSTEM, login="wang")
    assert client.patch(f"/api/v1/users/{other.id}", headers=mine, json={"display_name": "x"}).status_code == 403


def test_an_admin_cannot_deactivate_themself_or_drop_their_own_admin_rights(
        fast: Services, client: TestClient) -> None:
    admin = add_user(fast, actor=SYSTEM, login="boss", is_admin=True, password=PASSWORD)
    headers = _bearer(client, "boss")
    for change in ({"active": False}, {"is_admin": False}, {"roles": ["viewer"]}):
        refused = client.patch(f"/api/v1/users/{admin.id}", headers=headers, json=change)
        assert refused.status_code == 409, change
    assert client.get("/api/v1/users/me", headers=headers).json()["is_admin"] is True


def test_an_admin_makes_a_user_admin_through_the_roles(fast: Services, client: TestClient,
                                                      login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    answer = client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"roles": ["admin", "viewer"]})
    assert (answer.json()["is_admin"], answer.json()["roles"]) == (True, ["admin", "viewer"])
    assert client.get("/api/v1/users", headers=_bearer(client, "li")).status_code == 200


def test_bad_changes_are_refused_with_every_problem(fast: Services, client: TestClient,
                                                   login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = add_user(fast, actor=SYSTEM, login="li")
    refused = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                           json={"email": "not an address", "roles": ["king"], "groups": ["nope"]})
    assert refused.status_code == 422
    assert {e["path"] for e in refused.json()["errors"]} == {"email", "roles"}
    assert client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"login": "x"}).status_code == 422
    assert client.patch("/api/v1/users/999999", headers=admin, json={"active": True}).status_code == 404


def test_an_admin_resets_a_password_and_the_users_sessions_end(fast: Services, client: TestClient,
                                                               login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    before = _bearer(client, "li")
    answer = client.post(f"/api/v1/users/{user.id}/password", headers=admin, json={"password": "brand new pass"})
    assert answer.status_code == 204
    assert client.get("/api/v1/users/me", headers=before).status_code == 401
    assert client.post(TOKEN, data={"username": "li", "password": PASSWORD}).status_code == 401
    assert client.get("/api/v1/users/me", headers=_bearer(client, "li", "brand new pass")).status_code == 200
    admin_login = client.get("/api/v1/users/me", headers=admin).json()["login"]
    assert _audit(fast, user.id)[-1][:2] == ("password_reset", admin_login)
    short = client.post(f"/api/v1/users/{user.id}/password", headers=admin, json={"password": "short"})
    assert short.status_code == 422


def test_a_user_changes_their_own_password_with_the_old_one_and_gets_a_new_token(
        fast: Services, client: TestClient) -> None:
    user = add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    laptop, phone = _bearer(client, "li"), _bearer(client, "li")
    wrong = client.post("/api/v1/users/me/password", headers=laptop,
                        json={"old_password": "not it", "new_password": "a new password"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"path": "old_password", "message": "is not your current password"}]
    answer = client.post("/api/v1/users/me/password", headers=laptop,
                         json={"old_password": PASSWORD, "new_password": "a new password"})
    assert answer.status_code == 200, answer.text
    fresh = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert client.get("/api/v1/users/me", headers=fresh).json()["login"] == "li"
    assert client.get("/api/v1/users/me", headers=phone).status_code == 401
    assert client.post(TOKEN, data={"username": "li", "password": "a new password"}).status_code == 200
    assert [a for a, _, _ in _audit(fast, user.id)] == ["created", "password_changed"]


def test_guessing_the_old_password_is_throttled_like_logging_in(fast: Services, client: TestClient) -> None:
    add_user(fast, actor=SYSTEM, login="li", password=PASSWORD)
    headers = _bearer(client, "li")
    statuses = [client.post("/api/v1/users/me/password", headers=headers,
                            json={"old_password": f"guess {n}", "new_password": "a new password"}).status_code
                for n in range(fast.login_policy.attempts + 1)]
    assert statuses[0] == 422 and statuses[-1] == 429
    right = client.post("/api/v1/users/me/password", headers=headers,
                        json={"old_password": PASSWORD, "new_password": "a new password"})
    assert right.status_code == 429
