"""Every endpoint × every role: allowed → 2xx, refused → 401/403. No door is left open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from channelops.settings import Settings
from tests.support.fixtures import bearer
from workflows.domain.principals import SYSTEM
from workflows.services.calendar_entries import add_calendar_entry
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import claim_task
from workflows.services.users import actor_for, add_user

ROLES = ("anonymous", "viewer", "channel_manager", "reviewer", "committee", "admin")
ANYONE = set(ROLES)
USERS = ANYONE - {"anonymous"}
ADMIN = {"admin"}
MEETING_READERS = {"viewer", "reviewer", "committee", "admin"}  # auditors, attendees (market), committee, admins
PROPOSAL = """name: improvement_proposal
title: {zh: 改进提案, en: Improvement proposal}
start: [role:channel_manager]
states:
  - {name: submitted, initial: true}
  - {name: reviewed, final: true}
transitions:
  - {trigger: review, source: submitted, dest: reviewed, allowed: [group:committee]}
"""


@dataclass
class World:
    headers: dict[str, dict[str, str]]
    ids: dict[str, int]


@pytest.fixture
def world(svc: Services, settings: Settings) -> World:
    groups = {"viewer": [], "channel_manager": [], "reviewer": ["market"], "committee": ["committee"], "admin": []}
    roles = {"viewer": ["viewer"], "channel_manager": ["channel_manager"]}
    users = {role: add_user(svc, actor=SYSTEM, login=f"{role}_user", groups=groups[role], roles=roles.get(role, []),
                            is_admin=role == "admin") for role in groups}
    headers = {role: bearer(settings, user.id) for role, user in users.items()}
    headers["anonymous"] = {}
    requester = add_user(svc, actor=SYSTEM, login="requester", roles=["channel_manager"])
    as_requester = actor_for(svc, login="requester")
    complaint = start_instance(svc, actor=as_requester, workflow="complaint", data={"severity": "low"})
    onboarding = start_instance(svc, actor=as_requester, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=as_requester, instance_id=onboarding.id, trigger="submit")
    with svc.uow(write=False) as uow:
        from sqlalchemy import select

        from workflows.persistence import tables as t

        task_id = uow.conn.execute(select(t.tasks.c.id).where(t.tasks.c.instance_id == onboarding.id,
                                                              t.tasks.c.candidate_group == "market")).scalar_one()
        claimed_id = uow.conn.execute(select(t.tasks.c.id).where(t.tasks.c.instance_id == onboarding.id,
                                                                 t.tasks.c.candidate_group == "sales")).scalar_one()
    sales_reviewer = add_user(svc, actor=SYSTEM, login="sales_user", groups=["sales"])
    claim_task(svc, actor=actor_for(svc, login="sales_user"), task_id=claimed_id)
    headers["sales_claimer"] = bearer(settings, sales_reviewer.id)
    from workflows.services.auth import issue_api_token

    token = issue_api_token(svc, actor=SYSTEM, user_id=requester.id, name="t")
    add_calendar_entry(svc, actor=SYSTEM, day=date(2026, 12, 31), kind="holiday")  # for DELETE .../2026-12-31
    meeting_id, item_id, occurrence_id = _meeting(svc)
    channel_id = _channel(svc, manager_id=users["channel_manager"].id)
    return World(headers=headers, ids={"complaint": complaint.id, "task": task_id, "claimed": claimed_id,
                                       "user": requester.id, "token": token.info.id, "meeting": meeting_id,
                                       "item": item_id, "occurrence": occurrence_id, "channel": channel_id})


def _channel(svc: Services, *, manager_id: int) -> int:
    """An operating channel that the channel manager manages, for the channel and KPI endpoints."""
    from channels.registry import create_channel

    admin = actor_for(svc, login="admin_user")
    return create_channel(svc, actor=admin, values={"code": "PERM-1", "name": "权限测试渠道", "type": "agent",
                                                    "region": "east", "manager_id": manager_id,
                                                    "activate": True}).id


def _meeting(svc: Services) -> tuple[int, int, int]:
    """A joint meeting the market reviewers attend, with a prepared agenda holding a new yellow card."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from channels.meetings.agendas import prepare_agenda
    from channels.meetings.series import create_meeting

    card = start_instance(svc, actor=SYSTEM, workflow="card_escalation", subject={"type": "channel", "id": "1"})
    fire_trigger(svc, actor=SYSTEM, instance_id=card.id, trigger="issue_yellow")
    meeting = create_meeting(svc, actor=SYSTEM, kind="joint", rrule="FREQ=MONTHLY;BYDAY=1TU",
                             starts_at=datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                             attendee_groups=["market"])
    agenda = prepare_agenda(svc, actor=SYSTEM, meeting_id=meeting.id, distribute=False)
    later = meeting.upcoming[1].id  # cancelling it leaves the agenda's occurrence alone
    return meeting.id, next(i.id for s in agenda.sections for i in s.items), later


# (method, path, body kind, roles allowed)
ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("GET", "/health", None, ANYONE),
    ("GET", "/api/v1/health", None, ANYONE),
    ("GET", "/api/v1/users/me", None, USERS),
    ("GET", "/api/v1/workflows", None, USERS),
    ("GET", "/api/v1/workflows/complaint", None, USERS),
    ("GET", "/api/v1/workflows/complaint/versions", None, USERS),
    ("GET", "/api/v1/workflows/complaint/versions/1", None, USERS),
    ("GET", "/api/v1/workflows/complaint/diagram", None, USERS),
    ("POST", "/api/v1/workflows/validate", "yaml", ADMIN),
    ("POST", "/api/v1/workflows", "yaml", ADMIN),
    ("POST", "/api/v1/instances", {"workflow": "complaint", "data": {"severity": "low"}},
     {"channel_manager", "reviewer", "admin"}),
    ("GET", "/api/v1/instances", None, USERS),
    ("GET", "/api/v1/instances/{complaint}", None, USERS),
    ("GET", "/api/v1/instances/{complaint}/history", None, USERS),
    ("POST", "/api/v1/instances/{complaint}/events", {"trigger": "acknowledge"}, {"channel_manager"}),
    ("GET", "/api/v1/tasks", None, USERS),
    ("GET", "/api/v1/tasks/{task}", None, USERS),
    ("POST", "/api/v1/tasks/{task}/claim", None, {"reviewer"}),
    ("POST", "/api/v1/tasks/{claimed}/release", None, {"admin"}),
    ("POST", "/api/v1/tasks/{task}/complete", {"decision": "approve"}, {"reviewer"}),
    ("GET", "/api/v1/users", None, ADMIN),
    ("POST", "/api/v1/users", "new_user", ADMIN),
    ("GET", "/api/v1/users/{user}", None, ADMIN),
    ("POST", "/api/v1/users/{user}/deactivate", None, ADMIN),
    ("GET", "/api/v1/users/{user}/tokens", None, ADMIN),
    ("POST", "/api/v1/users/{user}/tokens", {"name": "erp"}, ADMIN),
    ("DELETE", "/api/v1/users/{user}/tokens/{token}", None, ADMIN),
    ("GET", "/api/v1/reports/sla?workflow=complaint", None, USERS),
    ("GET", "/api/v1/exports/channels", None, USERS),
    ("GET", "/api/v1/exports/kpis?format=xlsx", None, USERS),
    ("GET", "/api/v1/exports/cards", None, USERS),
    ("GET", "/api/v1/exports/instances", None, USERS),
    ("GET", "/api/v1/exports/tasks", None, USERS),  # narrowed to the caller's tasks (test_api__exports.py)
    ("GET", "/api/v1/exports/audit", None, {"viewer", "admin"}),  # others: one instance's, with instance_id
    ("GET", "/api/v1/exports/reports/sla?workflow=complaint", None, USERS),
    ("GET", "/api/v1/calendar/entries", None, USERS),
    ("POST", "/api/v1/calendar/entries", {"day": "2027-02-03", "kind": "holiday", "note": "company day"}, ADMIN),
    ("DELETE", "/api/v1/calendar/entries/2026-12-31", None, ADMIN),
    ("GET", "/api/v1/calendar/coverage?year=2027", None, USERS),
    ("GET", "/api/v1/channels", None, USERS),
    ("POST", "/api/v1/channels", "new_channel", {"channel_manager", "admin"}),
    ("GET", "/api/v1/channels/{channel}", None, USERS),
    ("PATCH", "/api/v1/channels/{channel}", {"name": "改名"}, {"channel_manager", "admin"}),
    ("POST", "/api/v1/kpis", {"rows": [{"channel_code": "PERM-1", "period": "2026-10", "sales_actual": 1}]},
     {"channel_manager", "admin"}),
    ("POST", "/api/v1/kpis/import", "kpi_file", {"channel_manager", "admin"}),
    ("POST", "/api/v1/kpis/evaluate", {"period": "2026-10"}, ADMIN),
    ("GET", "/api/v1/kpis/alarms", None, USERS),
    ("GET", "/api/v1/kpis/stars?period=2026-10", None, USERS),
    ("GET", "/api/v1/kpis/suggestions", None, USERS),
    ("GET", "/api/v1/kpis/reports", None, USERS),
    ("GET", "/api/v1/rules/thresholds", None, USERS),
    ("PATCH", "/api/v1/rules/thresholds", {"thresholds": {"alarm_drop_pct": 25}}, ADMIN),
    ("GET", "/api/v1/meetings", None, USERS),
    ("POST", "/api/v1/meetings", {"kind": "other", "starts_at": "2026-12-08T15:00:00+08:00",
                                  "attendee_groups": ["committee"]}, {"committee", "admin"}),
    ("GET", "/api/v1/meetings/{meeting}", None, MEETING_READERS),
    ("GET", "/api/v1/meetings/{meeting}/agenda?format=ics", None, MEETING_READERS),
    ("POST", "/api/v1/meetings/{meeting}/agenda?distribute=false", None, {"committee", "admin"}),
    ("POST", "/api/v1/meetings/{meeting}/decisions", {"item_id": "{item}", "summary": "ok"}, {"committee"}),
    ("PUT", "/api/v1/meetings/{meeting}/attendance", {"present": []}, {"committee"}),
    ("GET", "/api/v1/meetings/{meeting}/minutes?format=md", None, MEETING_READERS),
    ("PATCH", "/api/v1/meetings/{meeting}", {"location": "HQ"}, {"committee", "admin"}),
    ("POST", "/api/v1/meetings/{meeting}/occurrences/{occurrence}/cancel", None, {"committee", "admin"}),
]


def call(client: TestClient, world: World, role: str, method: str, path: str, body: Any) -> int:
    url = path.format(**world.ids)
    kwargs: dict[str, Any] = {"headers": dict(world.headers[role])}
    if body == "yaml":
        kwargs["content"] = PROPOSAL.encode()
        kwargs["headers"]["Content-Type"] = "application/yaml"
    elif body == "new_user":
        kwargs["json"] = {"login": f"new_{role}", "password": "long-enough-1"}
    elif body == "new_channel":
        kwargs["json"] = {"code": f"NEW-{role}", "name": "新渠道", "type": "social", "region": "east"}
    elif body == "kpi_file":
        kwargs["files"] = {"file": ("kpi.csv", b"channel_code,period,sales_actual\nPERM-1,2026-10,2\n", "text/csv")}
    elif body is not None:
        kwargs["json"] = {k: world.ids["item"] if v == "{item}" else v for k, v in body.items()}
    return client.request(method, url, **kwargs).status_code


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_each_endpoint_admits_exactly_its_roles(
    client: TestClient, world: World, method: str, path: str, body: Any, allowed: set[str]
) -> None:
    # Refused roles go first, so that an allowed call that changes state cannot mask a refusal.
    ordered = sorted(ROLES, key=lambda role: role in allowed)
    statuses = {role: call(client, world, role, method, path, body) for role in ordered}
    expected_refusal = {role: (401 if role == "anonymous" else 403) for role in ROLES if role not in allowed}
    assert {role: code for role, code in statuses.items() if role not in allowed} == expected_refusal
    assert {role: 200 <= code < 300 for role, code in statuses.items() if role in allowed} == dict.fromkeys(
        allowed & set(ROLES), True)


def test_every_route_in_the_api_is_covered_by_the_matrix(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    routes = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    covered = {(m, p.replace("{complaint}", "{instance_id}").replace("{task}", "{task_id}")
                .replace("{claimed}", "{task_id}").replace("{user}", "{user_id}").replace("{token}", "{token_id}")
                .replace("/complaint", "/{name}").replace("/versions/1", "/versions/{version}")
                .replace("/2026-12-31", "/{day}").replace("{meeting}", "{meeting_id}")
                .replace("{occurrence}", "{occurrence_id}")
                .replace("{channel}", "{channel_id}").split("?")[0])
               for m, p, _, _ in ENDPOINTS}
    assert routes - covered - {("POST", "/api/v1/auth/token")} == set()
