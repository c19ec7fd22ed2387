"""Schemathesis against /openapi.json: no input may produce a 500."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from channelops.settings import Settings
from tests.support.fixtures import bearer
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.users import actor_for, add_user


@pytest.fixture
def api_schema(client: TestClient, svc: Services, settings: Settings) -> Any:
    admin = add_user(svc, actor=SYSTEM, login="fuzz_admin", is_admin=True, groups=["market", "committee"],
                     roles=["channel_manager"])
    actor = actor_for(svc, login="fuzz_admin")
    complaint = start_instance(svc, actor=actor, workflow="complaint", data={"severity": "low"})
    onboarding = start_instance(svc, actor=actor, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=actor, instance_id=onboarding.id, trigger="submit")
    client.headers.update(bearer(settings, admin.id))
    assert complaint.id >= 1
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


EXAMPLES_PER_OPERATION = 20


def test_no_request_makes_the_api_fail_with_a_server_error(api_schema: Any, client: TestClient) -> None:
    headers = dict(client.headers)
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                f"{case.as_curl_command()}")

        run()
    assert failures == []
