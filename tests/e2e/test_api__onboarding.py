"""Reviewers approve through the API: the onboarding and complaint paths over HTTP."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory

DATA = {"channel_name": "西南代理", "channel_type": "agent", "region": "southwest"}


def submit(client: TestClient, manager: dict[str, str]) -> int:
    started = client.post("/api/v1/instances", headers=manager,
                          json={"workflow": "channel_onboarding", "subject": {"type": "channel", "id": "C-77"},
                                "data": DATA})
    assert started.status_code == 201, started.text
    instance_id: int = started.json()["id"]
    fired = client.post(f"/api/v1/instances/{instance_id}/events", headers=manager, json={"trigger": "submit"})
    assert fired.status_code == 200, fired.text
    return instance_id


def inbox_task(client: TestClient, who: dict[str, str], instance_id: int) -> int:
    answer = client.get("/api/v1/tasks", headers=who, params={"assigned": "group", "status": "open"})
    assert answer.status_code == 200
    return next(int(task["id"]) for task in answer.json()["items"] if task["instance_id"] == instance_id)


def test_three_departments_approve_through_their_inboxes(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    instance_id = submit(client, manager)
    for group in ("market", "sales", "finance"):
        reviewer = login_as(group)
        task_id = inbox_task(client, reviewer, instance_id)
        answer = client.post(f"/api/v1/tasks/{task_id}/complete", headers=reviewer,
                             json={"decision": "approve", "comment": f"{group} ok"})
        assert answer.status_code == 200, answer.text
    instance = client.get(f"/api/v1/instances/{instance_id}", headers=manager).json()
    assert instance["instance"]["state"] == "approved"
    history = client.get(f"/api/v1/instances/{instance_id}/history", headers=manager).json()
    assert [e["trigger"] for e in history if e["action"] == "transition"] == ["submit", "approve"]


def test_a_rejection_over_http_rejects(client: TestClient, login_as: LoginFactory) -> None:
    manager, sales = login_as(roles=("channel_manager",)), login_as("sales")
    instance_id = submit(client, manager)
    task_id = inbox_task(client, sales, instance_id)
    answer = client.post(f"/api/v1/tasks/{task_id}/complete", headers=sales, json={"decision": "reject"})
    assert answer.json()["to_state"] == "rejected"


def test_request_changes_over_http_sends_the_application_back(client: TestClient, login_as: LoginFactory) -> None:
    manager, finance = login_as(roles=("channel_manager",)), login_as("finance")
    instance_id = submit(client, manager)
    task_id = inbox_task(client, finance, instance_id)
    answer = client.post(f"/api/v1/tasks/{task_id}/complete", headers=finance,
                         json={"decision": "request_changes", "comment": "缺少资质证明"})
    assert answer.json()["to_state"] == "changes_requested"


def test_the_requester_cannot_approve_their_own_application(client: TestClient, login_as: LoginFactory) -> None:
    both = login_as("market", roles=("channel_manager",))
    instance_id = submit(client, both)
    task_id = inbox_task(client, both, instance_id)
    answer = client.post(f"/api/v1/tasks/{task_id}/complete", headers=both, json={"decision": "approve"})
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert "requester" in answer.json()["detail"]


def test_a_trigger_not_allowed_now_is_409_with_a_problem(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    instance_id = submit(client, manager)
    answer = client.post(f"/api/v1/instances/{instance_id}/events", headers=manager, json={"trigger": "submit"})
    assert answer.status_code == 409
    assert answer.json()["detail"] == "trigger 'submit' is not allowed in state 'under_review'"


def test_many_simultaneous_completions_have_one_200_and_the_rest_409(
    client: TestClient, login_as: LoginFactory
) -> None:
    manager, market = login_as(roles=("channel_manager",)), login_as("market")
    instance_id = submit(client, manager)
    task_id = inbox_task(client, market, instance_id)
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: client.post(f"/api/v1/tasks/{task_id}/complete", headers=market,
                                                    json={"decision": "approve"}).status_code, range(8)))
    assert sorted(codes) == [200] + [409] * 7
    history = client.get(f"/api/v1/instances/{instance_id}/history", headers=manager).json()
    assert sum(1 for e in history if e["action"] == "task_completed") == 1


def test_an_idempotent_retry_returns_the_first_answer(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    headers = {**manager, "Idempotency-Key": "start-1"}
    body = {"workflow": "complaint", "data": {"severity": "high"}}
    first = client.post("/api/v1/instances", headers=headers, json=body)
    again = client.post("/api/v1/instances", headers=headers, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    listed = client.get("/api/v1/instances", headers=manager, params={"workflow": "complaint"}).json()
    assert listed["total"] == 1


def test_the_complaint_path_over_http_with_if_match(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    started = client.post("/api/v1/instances", headers=manager,
                          json={"workflow": "complaint", "data": {"severity": "normal"}}).json()
    url = f"/api/v1/instances/{started['id']}"
    etag = client.get(url, headers=manager).headers["etag"]
    assert client.post(f"{url}/events", headers={**manager, "If-Match": etag},
                       json={"trigger": "acknowledge"}).status_code == 200
    stale = client.post(f"{url}/events", headers={**manager, "If-Match": etag}, json={"trigger": "resolve"})
    assert stale.status_code == 409
    for trigger in ("resolve", "close"):
        assert client.post(f"{url}/events", headers=manager, json={"trigger": trigger}).status_code == 200
    detail = client.get(url, headers=manager).json()
    assert detail["instance"]["state"] == "closed"
    assert {clock["status"] for clock in detail["sla"]} == {"met"}
