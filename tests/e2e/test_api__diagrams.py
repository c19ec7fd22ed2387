"""The state diagram over HTTP: Mermaid text, or SVG drawn by Graphviz, with an instance's state marked."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory

SVG = "{http://www.w3.org/2000/svg}"


def started_onboarding(client: TestClient, login_as: LoginFactory) -> tuple[int, dict[str, str]]:
    manager = login_as(roles=("channel_manager",))
    body = {"workflow": "channel_onboarding", "data": {"channel_name": "x", "channel_type": "agent", "region": "east"}}
    created = client.post("/api/v1/instances", json=body, headers=manager)
    assert created.status_code == 201, created.text
    instance_id: int = created.json()["id"]
    assert client.post(f"/api/v1/instances/{instance_id}/events", json={"trigger": "submit"},
                       headers=manager).status_code == 200
    return instance_id, manager


def test_the_mermaid_diagram_marks_the_state_of_the_instance(client: TestClient, login_as: LoginFactory) -> None:
    instance_id, manager = started_onboarding(client, login_as)

    drawn = client.get(f"/api/v1/workflows/channel_onboarding/diagram?instance={instance_id}", headers=manager)

    assert drawn.status_code == 200
    assert drawn.headers["content-type"].startswith("text/plain")
    assert "class under_review current" in drawn.text


def test_the_svg_diagram_is_svg_with_the_current_state_filled(client: TestClient, login_as: LoginFactory) -> None:
    instance_id, manager = started_onboarding(client, login_as)

    drawn = client.get(f"/api/v1/workflows/channel_onboarding/diagram?format=svg&instance={instance_id}&locale=zh",
                       headers=manager)

    assert drawn.status_code == 200, drawn.text
    assert drawn.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(drawn.content)
    nodes = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    assert {"state_draft", "state_under_review", "state_approved", "state_rejected"} <= set(nodes)
    fills = {g_id: {shape.get("fill") for shape in g.iter() if shape.get("fill")} for g_id, g in nodes.items()}
    assert "#f9d77e" in fills["state_under_review"]
    assert "#f9d77e" not in fills["state_draft"]
    assert "审核中" in drawn.text  # the zh title of under_review


def test_svg_without_graphviz_is_a_clear_503_and_mermaid_still_works(
    client: TestClient, login_as: LoginFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workflows.adapters.graphviz.shutil.which", lambda name: None)
    headers = login_as("market")

    refused = client.get("/api/v1/workflows/complaint/diagram?format=svg", headers=headers)

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert "apt-get install graphviz" in refused.json()["detail"]
    assert client.get("/api/v1/workflows/complaint/diagram", headers=headers).status_code == 200


def test_an_instance_of_another_workflow_is_not_found(client: TestClient, login_as: LoginFactory) -> None:
    instance_id, manager = started_onboarding(client, login_as)

    drawn = client.get(f"/api/v1/workflows/complaint/diagram?instance={instance_id}", headers=manager)

    assert drawn.status_code == 404
