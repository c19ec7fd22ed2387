"""Schemathesis on the meeting routes, with a meeting and a prepared agenda in place: never a 500."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from channelops.settings import Settings
from tests.support.fixtures import bearer
from tests.support.meetings import seed
from workflows.services.context import Services

EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def api_schema(client: TestClient, svc: Services, settings: Settings) -> Any:
    world = seed(svc)  # meeting 1 with a prepared agenda: generated ids hit real rows
    client.post(f"/api/v1/meetings/{world.meeting.id}/agenda", headers=bearer(settings, world.committee.id or 0))
    client.headers.update(bearer(settings, world.committee.id or 0))
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_request_to_the_meeting_routes_fails_with_a_server_error(api_schema: Any, client: TestClient) -> None:
    headers = dict(client.headers)
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if "/meetings" not in operation.path:
            continue

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            if "meeting_id" in (case.path_parameters or {}) and case.path_parameters["meeting_id"] > 3:
                case.path_parameters["meeting_id"] = 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                f"{case.as_curl_command()}")

        run()
    assert failures == []
