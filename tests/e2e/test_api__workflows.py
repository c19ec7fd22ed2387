"""Publishing workflow definitions over HTTP: new versions, repeats, and refusals with their lines."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory

PROPOSAL = """name: improvement_proposal
title: {zh: 改进提案, en: Improvement proposal}
start: [role:channel_manager]
states:
  - {name: submitted, initial: true}
  - {name: reviewed, final: true}
transitions:
  - {trigger: review, source: submitted, dest: reviewed, allowed: [group:committee]}
"""
YAML = {"Content-Type": "application/yaml"}


def test_publishing_creates_a_version_and_the_same_text_again_creates_none(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}

    first = client.post("/api/v1/workflows", content=PROPOSAL, headers=admin)
    again = client.post("/api/v1/workflows", content=PROPOSAL, headers=admin)
    changed = client.post("/api/v1/workflows", content=PROPOSAL.replace("改进提案", "改进提案二"), headers=admin)

    assert (first.status_code, first.json()["version"], first.json()["unchanged"]) == (201, 1, False)
    assert (again.status_code, again.json()["version"], again.json()["unchanged"]) == (200, 1, True)
    assert (changed.status_code, changed.json()["version"]) == (201, 2)


def test_an_invalid_definition_is_refused_with_every_problem_at_its_line(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}
    broken = PROPOSAL.replace("dest: reviewed", "dest: reviewd")

    refused = client.post("/api/v1/workflows", content=broken, headers=admin)
    report = client.post("/api/v1/workflows/validate", content=broken, headers=admin)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = next(error for error in refused.json()["errors"] if error["path"] == "transitions[0].dest")
    assert "reviewd" in problem["message"]
    assert report.json()["valid"] is False and report.json()["errors"][0]["line"] == 8
    assert client.get("/api/v1/workflows/improvement_proposal", headers=admin).status_code == 404


def test_the_definition_shown_as_the_example_in_the_api_docs_is_valid(
    client: TestClient, login_as: LoginFactory
) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/workflows/validate"]["post"]
    example = operation["requestBody"]["content"]["application/yaml"]["example"]
    report = client.post("/api/v1/workflows/validate", content=example, headers={**login_as(admin=True), **YAML})
    assert report.status_code == 200
    assert report.json() == {"valid": True, "errors": []}
