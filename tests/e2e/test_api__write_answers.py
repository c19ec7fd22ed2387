"""The engine's write routes serialise their answer themselves: it is still the documented JSON."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from tests.support.fixtures import LoginFactory
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import start_instance


def conforms(client: TestClient, path: str, status: str, body: Any) -> None:
    spec = client.get("/openapi.json").json()
    schema = spec["paths"][path]["post"]["responses"][status]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": spec["components"]}).validate(body)


def test_starting_an_instance_answers_201_with_the_documented_summary(client: TestClient,
                                                                      login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    started = client.post("/api/v1/instances", headers=manager,
                          json={"workflow": "complaint", "data": {"severity": "high"}})
    assert (started.status_code, started.headers["content-type"]) == (201, "application/json")
    assert (started.json()["workflow"], started.json()["state"], started.json()["data"]) == (
        "complaint", "received", {"severity": "high"})
    conforms(client, "/api/v1/instances", "201", started.json())


def test_firing_a_trigger_answers_its_step_with_the_new_etag(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    started = client.post("/api/v1/instances", headers=manager,
                          json={"workflow": "complaint", "data": {"severity": "normal"}}).json()
    fired = client.post(f"/api/v1/instances/{started['id']}/events", headers=manager, json={"trigger": "acknowledge"})
    body = fired.json()
    assert (fired.status_code, fired.headers["content-type"]) == (200, "application/json")
    assert (body["from_state"], body["to_state"], body["moved"]) == ("received", "investigating", True)
    assert fired.headers["etag"] == f'"{body["instance"]["revision"]}"' != f'"{started["revision"]}"'
    conforms(client, "/api/v1/instances/{instance_id}/events", "200", body)


def test_a_trigger_that_needs_the_committee_answers_202_with_its_task(
    client: TestClient, svc: Services, login_as: LoginFactory
) -> None:
    manager = login_as(roles=("channel_manager",))
    instance = start_instance(svc, actor=SYSTEM, workflow="channel_lifecycle", subject={"type": "channel", "id": "C-9"})
    fired = client.post(f"/api/v1/instances/{instance.id}/events", headers=manager, json={"trigger": "advance"})
    body = fired.json()
    assert fired.status_code == 202
    assert (body["moved"], body["to_state"], body["approval_task_id"] is not None) == (False, "introduction", True)
    assert fired.headers["etag"] == f'"{body["instance"]["revision"]}"'
    conforms(client, "/api/v1/instances/{instance_id}/events", "202", body)


def test_a_completion_answers_the_documented_step(client: TestClient, login_as: LoginFactory) -> None:
    manager, finance = login_as(roles=("channel_manager",)), login_as("finance")
    started = client.post("/api/v1/instances", headers=manager, json={
        "workflow": "channel_onboarding", "data": {"channel_name": "西南代理", "channel_type": "agent",
                                                   "region": "southwest"}}).json()
    client.post(f"/api/v1/instances/{started['id']}/events", headers=manager, json={"trigger": "submit"})
    task = next(item for item in client.get("/api/v1/tasks", headers=finance).json()["items"]
                if item["instance_id"] == started["id"])
    answer = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=finance, json={"decision": "reject"})
    assert (answer.status_code, answer.headers["content-type"]) == (200, "application/json")
    assert (answer.json()["from_state"], answer.json()["to_state"]) == ("under_review", "rejected")
    conforms(client, "/api/v1/tasks/{task_id}/complete", "200", answer.json())
