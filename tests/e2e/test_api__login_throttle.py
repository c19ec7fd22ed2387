"""Too many failed logins: the name (or the address) waits, told how long; the lockout is audited;
password checks run beside other requests, not in front of them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from channelops.settings import Settings
from tests.support.fixtures import LoginFactory
from tests.support.passwords import CountingHasher, GatedHasher
from tests.support.ui import csrf_of
from workflows.adapters.clock import FixedClock
from workflows.domain.logins import LoginPolicy
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.passwords import Passwords
from workflows.services.users import add_user

TOKEN = "/api/v1/auth/token"
RIGHT = "right password"


@pytest.fixture
def strict(svc: Services) -> Services:
    """Three failures per name, ten per address, in 15 minutes; locked for 10 minutes; fast hashing."""
    svc.passwords = Passwords(hasher=CountingHasher())
    svc.login_policy = LoginPolicy(attempts=3, address_attempts=10, window=timedelta(minutes=15),
                                   lockout=timedelta(minutes=10))
    add_user(svc, actor=SYSTEM, login="li", password=RIGHT)
    return svc


def _log_in(client: TestClient, login: str, password: str) -> int:
    return client.post(TOKEN, data={"username": login, "password": password}).status_code


def test_the_third_failure_locks_the_name_with_429_and_retry_after(strict: Services, client: TestClient) -> None:
    assert [_log_in(client, "li", "wrong") for _ in range(2)] == [401, 401]
    locked = client.post(TOKEN, data={"username": "li", "password": "wrong"})
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "600"
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["detail"] == "too many failed logins; try again later"
    right_but_locked = client.post(TOKEN, data={"username": "li", "password": RIGHT})
    assert right_but_locked.status_code == 429


def test_a_lockout_writes_one_audit_row(strict: Services, client: TestClient) -> None:
    for _ in range(3):
        _log_in(client, "li", "wrong")
    with strict.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.action == "locked_out")).mappings().all()
    assert [(r["entity_type"], r["entity_id"], r["actor_login"]) for r in rows] == [("login", "li", "system")]
    assert rows[0]["data"]["failures"] == 3 and rows[0]["data"]["address"] == "testclient"


def test_the_name_may_log_in_again_after_the_lockout(strict: Services, client: TestClient, clock: FixedClock) -> None:
    for _ in range(3):
        _log_in(client, "li", "wrong")
    clock.set(clock.now() + timedelta(minutes=9, seconds=30))
    still = client.post(TOKEN, data={"username": "li", "password": RIGHT})
    assert still.status_code == 429 and still.headers["retry-after"] == "30"
    clock.set(clock.now() + timedelta(seconds=30))
    assert _log_in(client, "li", RIGHT) == 200


def test_a_successful_login_starts_the_name_afresh(strict: Services, client: TestClient) -> None:
    assert [_log_in(client, "li", p) for p in ("wrong", "wrong", RIGHT, "wrong", "wrong")] == [401, 401, 200, 401, 401]


def test_failures_older_than_the_window_no_longer_count(strict: Services, client: TestClient,
                                                        clock: FixedClock) -> None:
    assert [_log_in(client, "li", "wrong") for _ in range(2)] == [401, 401]
    clock.set(clock.now() + timedelta(minutes=15))
    assert [_log_in(client, "li", "wrong") for _ in range(2)] == [401, 401]


def test_an_unknown_name_is_locked_the_same_way(strict: Services, client: TestClient) -> None:
    answers = [client.post(TOKEN, data={"username": "nobody", "password": "x"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[2].headers["retry-after"] == "600"


def test_one_address_trying_many_names_is_locked_for_every_name(strict: Services, client: TestClient) -> None:
    assert [_log_in(client, f"guess{i}", "x") for i in range(10)] == [401] * 9 + [429]
    assert _log_in(client, "li", RIGHT) == 429


def test_the_login_form_says_in_the_users_language_how_long_to_wait(strict: Services, client: TestClient) -> None:
    answers = []
    for _ in range(3):
        token = csrf_of(client.get("/login"))
        answers.append(client.post("/login", data={"username": "li", "password": "wrong", "csrf_token": token}))
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[2].headers["retry-after"] == "600"
    assert "登录失败次数过多，请 10 分钟后再试。" in answers[2].text


def test_an_inbox_read_is_answered_while_a_password_check_is_running(svc: Services, settings: Settings,
                                                                     login_as: LoginFactory) -> None:
    gate = GatedHasher()
    svc.passwords = Passwords(hasher=gate)
    one_thread = settings.model_copy(update={"threads": 1})
    reader = login_as("finance")
    with TestClient(create_app(one_thread, svc)) as client:
        answers: list[int] = []
        flood = threading.Thread(target=lambda: answers.append(_log_in(client, "someone", "wrong")))
        flood.start()
        try:
            assert gate.started.wait(10), "the login never reached its password check"
            inbox = client.get("/api/v1/tasks", headers=reader)
            assert inbox.status_code == 200 and inbox.json()["items"] == []
            assert answers == []  # the password check is still running
        finally:
            gate.release.set()
            flood.join(10)
    assert answers == [401]


def test_logins_beyond_the_queue_are_refused_at_once_with_503(svc: Services, settings: Settings) -> None:
    gate = GatedHasher()
    svc.passwords = Passwords(hasher=gate)
    no_queue = settings.model_copy(update={"login_threads": 1, "login_queue": 0})
    with TestClient(create_app(no_queue, svc)) as client:
        first = threading.Thread(target=lambda: _log_in(client, "someone", "wrong"))
        first.start()
        try:
            assert gate.started.wait(10)
            refused = client.post(TOKEN, data={"username": "other", "password": "x"})
            assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
            assert "too many logins are waiting" in refused.json()["detail"]
        finally:
            gate.release.set()
            first.join(10)
