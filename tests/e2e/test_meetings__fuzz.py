"""Schemathesis on the meeting routes, with a meeting and a prepared agenda in place: never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from channelops.settings import Settings
from tests.support.fixtures import bearer
from tests.support.fuzz import failures
from tests.support.meetings import seed
from workflows.services.context import Services

EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def committee_headers(client: TestClient, svc: Services, settings: Settings) -> dict[str, str]:
    world = seed(svc)  # meeting 1 with a prepared agenda: generated ids hit real rows
    client.post(f"/api/v1/meetings/{world.meeting.id}/agenda", headers=bearer(settings, world.committee.id or 0))
    return bearer(settings, world.committee.id or 0)


def at_a_real_meeting(case: Any) -> None:
    if "meeting_id" in (case.path_parameters or {}) and case.path_parameters["meeting_id"] > 3:
        case.path_parameters["meeting_id"] = 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_request_to_the_meeting_routes_passes_every_schemathesis_check(
    committee_headers: dict[str, str], client: TestClient
) -> None:
    found = failures(client.app, headers=committee_headers, examples=EXAMPLES_PER_OPERATION,
                             only=lambda path: "/meetings" in path, adjust=at_a_real_meeting)
    assert found == []
