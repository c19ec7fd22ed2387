"""The OpenAPI document declares the problem+json answers each operation can give, and a 405 names
every method its path serves."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

PROBLEM = "application/problem+json"


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if path.startswith("/api/v1/")]


def test_every_operation_that_needs_a_caller_declares_401_and_403_as_problems(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    guarded = [(p, m, o) for p, m, o in _operations(spec) if o.get("security")]
    assert len(guarded) > 40
    for path, method, operation in guarded:
        for status in ("401", "403"):
            content = operation["responses"][status]["content"]
            assert list(content) == [PROBLEM], f"{method.upper()} {path} {status}"
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_validation_errors_are_documented_as_problems_not_as_fastapis_default(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    creating = spec["paths"]["/api/v1/instances"]["post"]["responses"]
    assert set(creating) >= {"201", "401", "403", "404", "409", "413", "422"}
    assert creating["422"]["content"][PROBLEM]["schema"]["$ref"] == "#/components/schemas/Problem"
    assert "404" in spec["paths"]["/api/v1/tasks/{task_id}"]["get"]["responses"]
    assert "409" not in spec["paths"]["/api/v1/tasks/{task_id}"]["get"]["responses"]


def test_the_login_declares_throttling_with_retry_after(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(responses) >= {"200", "401", "422", "429"}
    assert "Retry-After" in responses["429"]["headers"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_real_problem_answer_matches_the_documented_problem_schema(client: TestClient,
                                                                     login_as: Any) -> None:
    spec = client.get("/openapi.json").json()
    answer = client.get("/api/v1/tasks/999999", headers=login_as("finance"))
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert list(Draft202012Validator(spec["components"]["schemas"]["Problem"]).iter_errors(answer.json())) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_method_not_allowed_lists_every_method_of_a_shared_path(client: TestClient, login_as: Any) -> None:
    answer = client.delete("/api/v1/instances", headers=login_as("finance"))
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, POST"
    assert answer.json()["title"] == "Method not allowed"
