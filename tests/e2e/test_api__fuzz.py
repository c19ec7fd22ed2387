"""Schemathesis against /openapi.json with every check: no 5xx, only documented statuses and bodies."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from channelops.settings import Settings
from tests.support.fuzz import failures
from workflows.domain.principals import SYSTEM
from workflows.services.auth import issue_api_token
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.users import actor_for, add_user


@pytest.fixture
def api_headers(client: TestClient, svc: Services, settings: Settings) -> dict[str, str]:
    admin = add_user(svc, actor=SYSTEM, login="fuzz_admin", is_admin=True, groups=["market", "committee"],
                     roles=["channel_manager"])
    actor = actor_for(svc, login="fuzz_admin")
    complaint = start_instance(svc, actor=actor, workflow="complaint", data={"severity": "low"})
    onboarding = start_instance(svc, actor=actor, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=actor, instance_id=onboarding.id, trigger="submit")
    assert complaint.id >= 1
    # A long-lived API token, not a session: the fuzzed logout-all routes would end a session.
    return {"Authorization": f"Bearer {issue_api_token(svc, actor=SYSTEM, user_id=admin.id, name='fuzz').token}"}


EXAMPLES_PER_OPERATION = 20


def test_every_generated_request_passes_every_schemathesis_check(api_headers: dict[str, str],
                                                                client: TestClient) -> None:
    assert failures(client.app, headers=api_headers, examples=EXAMPLES_PER_OPERATION) == []
