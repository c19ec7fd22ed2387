"""Schemathesis over the audit trail and follow-up routes with every check: no 5xx, only documented
statuses and bodies, whatever the filters, cursors and dates."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from channelops.settings import Settings
from tests.support.fuzz import failures
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.auth import issue_api_token
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import claim_task
from workflows.services.users import actor_for, add_user


@pytest.fixture
def fuzz_world(svc: Services) -> tuple[dict[str, str], int]:
    admin = add_user(svc, actor=SYSTEM, login="fuzz_reviewer", is_admin=True, groups=["market"])
    add_user(svc, actor=SYSTEM, login="fuzz_applicant", roles=["channel_manager"])
    applicant = actor_for(svc, login="fuzz_applicant")
    inst = start_instance(svc, actor=applicant, workflow="channel_onboarding",
                          data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=applicant, instance_id=inst.id, trigger="submit")
    with svc.uow(write=False) as uow:
        task_id = int(uow.conn.execute(select(t.tasks.c.id).where(
            t.tasks.c.instance_id == inst.id, t.tasks.c.candidate_group == "market")).scalar_one())
    claim_task(svc, actor=actor_for(svc, login="fuzz_reviewer"), task_id=task_id)
    token = issue_api_token(svc, actor=SYSTEM, user_id=admin.id, name="fuzz").token
    return {"Authorization": f"Bearer {token}"}, task_id


def test_the_audit_and_follow_up_routes_pass_every_schemathesis_check(
        client: TestClient, settings: Settings, fuzz_world: tuple[dict[str, str], int]) -> None:
    headers, task_id = fuzz_world

    def claimed_task(case: Any) -> None:
        if case.path_parameters and "task_id" in case.path_parameters:
            case.path_parameters["task_id"] = task_id

    found = failures(client.app, headers=headers, examples=40,
                     only=lambda path: path.startswith("/api/v1/audit") or path.endswith("/follow-up"),
                     adjust=claimed_task)
    assert found == [], "\n".join(found)
