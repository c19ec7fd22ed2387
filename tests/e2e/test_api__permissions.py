"""Every endpoint × every role: allowed → 2xx, refused → 401/403. No door is left open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from channelops.settings import Settings
from channels import permissions
from channels.permissions import ChannelAction, ChannelRef, MeetingRef
from tests.support.fixtures import bearer
from workflows.domain.definition import WorkflowDefinition
from workflows.domain.permissions import Action, GroupRef, Named, TaskRef, UserRef
from workflows.domain.principals import SYSTEM, Actor
from workflows.services.calendar_entries import add_calendar_entry
from workflows.services.context import Services
from workflows.services.definitions import get_definition, validate_definition
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.tasks import claim_task
from workflows.services.users import actor_for, add_user

ROLES = ("anonymous", "viewer", "channel_manager", "reviewer", "committee", "admin")
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
    actors: dict[str, Actor]
    complaint: WorkflowDefinition


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
    parsed = validate_definition(svc, get_definition(svc, name="complaint").source).definition
    assert parsed is not None
    from workflows.services.delegations import add_delegation  # absence and delegation

    delegation = add_delegation(svc, actor=SYSTEM, login="requester", substitute="sales_user",
                                starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27))
    _passwords(svc)
    return World(headers=headers, ids={"complaint": complaint.id, "task": task_id, "claimed": claimed_id,
                                       "user": requester.id, "token": token.info.id, "meeting": meeting_id,
                                       "item": item_id, "occurrence": occurrence_id, "channel": channel_id,
                                       "channel_manager": users["channel_manager"].id,
                                       "sales_user": sales_reviewer.id, "delegation": delegation.id,
                                       **_notification_ids(svc, requester.id)},
                 actors={role: actor_for(svc, login=f"{role}_user") for role in groups}, complaint=parsed)


def _notification_ids(svc: Services, owner_id: int) -> dict[str, int]:
    """A target of the requester's and a dead notification, for the notification and outbox endpoints."""
    from sqlalchemy import select, update

    from workflows.persistence import tables as t
    from workflows.services.records import notify
    from workflows.services.targets import add_target

    target = add_target(svc, actor=SYSTEM, owner_type="user", owner=str(owner_id), kind="webhook",
                        url="json://127.0.0.1:9/perm")
    with svc.uow() as uow:
        notify(uow, now=svc.clock.now(), instance_id=None, recipients=[f"user:{owner_id}"], template="generic",
               payload={})
        uow.commit()
    with svc.uow() as uow:
        outbox_id = uow.conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.id.desc())).scalars().first()
        uow.conn.execute(update(t.outbox).where(t.outbox.c.id == outbox_id).values(status="dead"))
        uow.commit()
    return {"target_id": target.id, "outbox_id": int(outbox_id or 0)}
OLD_PASSWORD = "old password 1"


def _passwords(svc: Services) -> None:
    """Every user has OLD_PASSWORD (hashed fast), for `POST /users/me/password`; sessions go on."""
    from sqlalchemy import update

    from tests.support.passwords import CountingHasher
    from workflows.persistence import tables as t
    from workflows.services.passwords import Passwords

    svc.passwords = Passwords(hasher=CountingHasher())
    with svc.uow() as uow:
        uow.conn.execute(update(t.users).values(password_hash=svc.passwords.hash(OLD_PASSWORD)))
        uow.commit()


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


Obj = Callable[[World, Actor], object]
PUBLIC = None  # no action: anyone, even without logging in


def nothing(world: World, actor: Actor) -> None:
    return None


def start_complaint(world: World, actor: Actor) -> Named:
    return Named(world.complaint.start, requester_id=actor.id, data={"severity": "low"})


def acknowledge_complaint(world: World, actor: Actor) -> Named:
    allowed = next(t.allowed for t in world.complaint.transitions if t.trigger == "acknowledge")
    return Named(allowed, requester_id=world.ids["user"], data={"severity": "low"})


def market_task(world: World, actor: Actor) -> TaskRef:  # the onboarding's requester may not decide it
    return TaskRef(assignee_id=None, candidate_group="market", not_by=world.ids["user"])


def claimed_task(world: World, actor: Actor) -> TaskRef:
    return TaskRef(assignee_id=world.ids["sales_user"], candidate_group="sales")


def other_user(world: World, actor: Actor) -> UserRef:
    return UserRef(world.ids["user"])


def oneself(world: World, actor: Actor) -> UserRef:
    return UserRef(actor.id)


def every_group(world: World, actor: Actor) -> GroupRef:
    return GroupRef(None)


def market_group(world: World, actor: Actor) -> GroupRef:
    return GroupRef("market")


def group_owned(world: World, actor: Actor) -> UserRef:
    return UserRef(None)


def market_meeting(world: World, actor: Actor) -> MeetingRef:
    return MeetingRef(attendee_groups=("market",))


def managed_channel(world: World, actor: Actor) -> ChannelRef:
    return ChannelRef(manager_id=world.ids["channel_manager"])


A, C = Action, ChannelAction
# (method, path, body kind, the checks the call passes: the permission table decides who is allowed)
ENDPOINTS: list[tuple[str, str, Any, list[tuple[str, Obj]] | None]] = [
    ("GET", "/health", None, PUBLIC),
    ("GET", "/api/v1/health", None, PUBLIC),
    ("GET", "/api/v1/users/me", None, [(A.READ_USER, oneself)]),
    ("GET", "/api/v1/workflows", None, [(A.READ_WORKFLOWS, nothing)]),
    ("GET", "/api/v1/workflows/complaint", None, [(A.READ_WORKFLOWS, nothing)]),
    ("GET", "/api/v1/workflows/complaint/versions", None, [(A.READ_WORKFLOWS, nothing)]),
    ("GET", "/api/v1/workflows/complaint/versions/1", None, [(A.READ_WORKFLOWS, nothing)]),
    ("GET", "/api/v1/workflows/complaint/diagram", None, [(A.READ_WORKFLOWS, nothing)]),
    ("POST", "/api/v1/workflows/validate", "yaml", [(A.VALIDATE_DEFINITION, nothing)]),
    ("POST", "/api/v1/workflows", "yaml", [(A.PUBLISH_DEFINITION, nothing)]),
    ("POST", "/api/v1/instances", {"workflow": "complaint", "data": {"severity": "low"}},
     [(A.START_INSTANCE, start_complaint)]),
    ("GET", "/api/v1/instances", None, [(A.READ_INSTANCES, nothing)]),
    ("GET", "/api/v1/instances/{complaint}", None, [(A.READ_INSTANCES, nothing)]),
    ("GET", "/api/v1/instances/{complaint}/history", None, [(A.READ_INSTANCES, nothing)]),
    ("POST", "/api/v1/instances/{complaint}/events", {"trigger": "acknowledge"},
     [(A.FIRE_TRIGGER, acknowledge_complaint)]),
    ("GET", "/api/v1/tasks", None, [(A.READ_TASKS, nothing)]),
    ("GET", "/api/v1/tasks/{task}", None, [(A.READ_TASKS, nothing)]),
    ("POST", "/api/v1/tasks/{task}/claim", None, [(A.CLAIM_TASK, market_task)]),
    ("POST", "/api/v1/tasks/{claimed}/release", None, [(A.RELEASE_TASK, claimed_task)]),
    ("POST", "/api/v1/tasks/{task}/complete", {"decision": "approve"}, [(A.DECIDE_TASK, market_task)]),
    ("GET", "/api/v1/users", None, [(A.MANAGE_USERS, nothing)]),
    ("POST", "/api/v1/users", "new_user", [(A.MANAGE_USERS, nothing)]),
    ("GET", "/api/v1/users/{user}", None, [(A.READ_USER, other_user)]),
    ("POST", "/api/v1/users/{user}/deactivate", None, [(A.MANAGE_USERS, nothing)]),
    ("POST", "/api/v1/users/{user}/logout-all", None, [(A.END_SESSIONS, other_user)]),
    ("POST", "/api/v1/auth/logout-all", None, [(A.END_SESSIONS, oneself)]),
    ("GET", "/api/v1/users/{user}/tokens", None, [(A.MANAGE_USERS, nothing)]),
    ("POST", "/api/v1/users/{user}/tokens", {"name": "erp"}, [(A.MANAGE_USERS, nothing)]),
    ("DELETE", "/api/v1/users/{user}/tokens/{token}", None, [(A.MANAGE_USERS, nothing)]),
    ("GET", "/api/v1/reports/sla?workflow=complaint", None, [(A.READ_REPORTS, nothing)]),
    ("GET", "/api/v1/reports/process?workflow=complaint", None, [(A.READ_PROCESS_REPORT, nothing)]),
    ("GET", "/api/v1/reports/compliance?period=2026-11", None, [(A.READ_COMPLIANCE, every_group)]),
    ("GET", "/api/v1/reports/compliance?period=2026-11&group=market", None, [(A.READ_COMPLIANCE, market_group)]),
    ("GET", "/api/v1/exports/channels", None, [(C.READ_CHANNELS, nothing)]),
    ("GET", "/api/v1/exports/kpis?format=xlsx", None, [(C.READ_CHANNELS, nothing)]),
    ("GET", "/api/v1/exports/cards", None, [(C.READ_CHANNELS, nothing)]),
    ("GET", "/api/v1/exports/instances", None, [(A.READ_INSTANCES, nothing)]),
    ("GET", "/api/v1/exports/tasks", None, [(A.READ_TASKS, nothing)]),  # narrowed to the caller's (test_api__exports)
    ("GET", "/api/v1/exports/audit", None, [(A.READ_AUDIT_TRAIL, nothing)]),  # one instance's: with instance_id
    ("GET", "/api/v1/exports/reports/sla?workflow=complaint", None, [(A.READ_REPORTS, nothing)]),
    ("GET", "/api/v1/exports/reports/process?workflow=complaint", None, [(A.READ_PROCESS_REPORT, nothing)]),
    ("GET", "/api/v1/exports/reports/compliance?period=2026-11", None, [(A.READ_COMPLIANCE, every_group)]),
    ("GET", "/api/v1/calendar/entries", None, [(A.READ_CALENDAR, nothing)]),
    ("POST", "/api/v1/calendar/entries", {"day": "2027-02-03", "kind": "holiday", "note": "company day"},
     [(A.MANAGE_CALENDAR, nothing)]),
    ("DELETE", "/api/v1/calendar/entries/2026-12-31", None, [(A.MANAGE_CALENDAR, nothing)]),
    ("GET", "/api/v1/calendar/coverage?year=2027", None, [(A.READ_CALENDAR, nothing)]),
    ("GET", "/api/v1/channels", None, [(C.READ_CHANNELS, nothing)]),
    ("POST", "/api/v1/channels", "new_channel", [(C.REGISTER_CHANNEL, nothing)]),
    ("GET", "/api/v1/channels/{channel}", None, [(C.READ_CHANNELS, nothing)]),
    ("PATCH", "/api/v1/channels/{channel}", {"name": "改名"}, [(C.CHANGE_CHANNEL, managed_channel)]),
    ("POST", "/api/v1/kpis", {"rows": [{"channel_code": "PERM-1", "period": "2026-10", "sales_actual": 1}]},
     [(C.REPORT_KPIS, nothing), (C.REPORT_CHANNEL_KPIS, managed_channel)]),
    ("POST", "/api/v1/kpis/import", "kpi_file", [(C.REPORT_KPIS, nothing), (C.REPORT_CHANNEL_KPIS, managed_channel)]),
    ("POST", "/api/v1/kpis/evaluate", {"period": "2026-10"}, [(C.RUN_KPI_RULES, nothing)]),
    ("GET", "/api/v1/kpis/alarms", None, [(C.READ_KPI_RESULTS, nothing)]),
    ("GET", "/api/v1/kpis/stars?period=2026-10", None, [(C.READ_KPI_RESULTS, nothing)]),
    ("GET", "/api/v1/kpis/suggestions", None, [(C.READ_KPI_RESULTS, nothing)]),
    ("GET", "/api/v1/kpis/reports", None, [(C.READ_KPI_RESULTS, nothing)]),
    ("GET", "/api/v1/rules/thresholds", None, [(C.READ_CHANNELS, nothing)]),
    ("PATCH", "/api/v1/rules/thresholds", {"thresholds": {"alarm_drop_pct": 25}}, [(C.EDIT_THRESHOLDS, nothing)]),
    ("GET", "/api/v1/meetings", None, [(C.READ_MEETING_LIST, nothing)]),
    ("POST", "/api/v1/meetings", {"kind": "other", "starts_at": "2026-12-08T15:00:00+08:00",
                                  "attendee_groups": ["committee"]}, [(C.ORGANISE_MEETINGS, nothing)]),
    ("GET", "/api/v1/meetings/{meeting}", None, [(C.READ_MEETING, market_meeting)]),
    ("GET", "/api/v1/meetings/{meeting}/agenda?format=ics", None, [(C.READ_MEETING, market_meeting)]),
    ("POST", "/api/v1/meetings/{meeting}/agenda?distribute=false", None, [(C.ORGANISE_MEETINGS, nothing)]),
    ("POST", "/api/v1/meetings/{meeting}/decisions", {"item_id": "{item}", "summary": "ok"},
     [(C.DECIDE_MEETING_ITEM, market_meeting)]),
    ("PUT", "/api/v1/meetings/{meeting}/attendance", {"present": []}, [(C.RECORD_ATTENDANCE, market_meeting)]),
    ("GET", "/api/v1/meetings/{meeting}/minutes?format=md", None, [(C.READ_MEETING, market_meeting)]),
    ("PATCH", "/api/v1/meetings/{meeting}", {"location": "HQ"}, [(C.ORGANISE_MEETINGS, nothing)]),
    ("POST", "/api/v1/meetings/{meeting}/occurrences/{occurrence}/cancel", None, [(C.ORGANISE_MEETINGS, nothing)]),
    # Absence and delegation (a lead's assignment: tests/e2e/test_api__delegations.py)
    ("GET", "/api/v1/delegations", None, [(A.MANAGE_DELEGATIONS, oneself)]),
    ("GET", "/api/v1/delegations?user=requester", None, [(A.MANAGE_DELEGATIONS, other_user)]),
    ("POST", "/api/v1/delegations", {"substitute": "sales_user", "starts_on": "2026-12-01", "ends_on": "2026-12-04"},
     [(A.MANAGE_DELEGATIONS, oneself)]),
    ("POST", "/api/v1/delegations", {"user": "requester", "substitute": "sales_user", "starts_on": "2026-12-01",
                                     "ends_on": "2026-12-04"}, [(A.MANAGE_DELEGATIONS, other_user)]),
    ("GET", "/api/v1/delegations/{delegation}", None, [(A.MANAGE_DELEGATIONS, other_user)]),
    ("POST", "/api/v1/delegations/{delegation}/handover", None, [(A.MANAGE_DELEGATIONS, other_user)]),
    ("DELETE", "/api/v1/delegations/{delegation}", None, [(A.MANAGE_DELEGATIONS, other_user)]),
    ("POST", "/api/v1/tasks/{task}/assign", {"login": "reviewer_user"}, [(A.ASSIGN_TASK, market_task)]),
    ("POST", "/api/v1/workflows/complaint/migrations", {"to_version": 1, "dry_run": True},
     [(A.MIGRATE_INSTANCES, nothing)]),
    ("GET", "/api/v1/notification-targets", None, [(A.MANAGE_TARGETS, oneself)]),
    ("POST", "/api/v1/notification-targets", {"owner_type": "group", "owner": "market", "kind": "webhook",
                                              "url": "json://127.0.0.1:9/market"}, [(A.MANAGE_TARGETS, group_owned)]),
    ("GET", "/api/v1/notification-targets/{target_id}", None, [(A.MANAGE_TARGETS, other_user)]),
    ("PATCH", "/api/v1/notification-targets/{target_id}", {"locale": "en"}, [(A.MANAGE_TARGETS, other_user)]),
    ("POST", "/api/v1/notification-targets/{target_id}/test", None, [(A.MANAGE_TARGETS, other_user)]),
    ("DELETE", "/api/v1/notification-targets/{target_id}", None, [(A.MANAGE_TARGETS, other_user)]),
    ("GET", "/api/v1/users/{user}/notification-preferences", None, [(A.MANAGE_TARGETS, other_user)]),
    ("PUT", "/api/v1/users/{user}/notification-preferences", {"muted": True}, [(A.MANAGE_TARGETS, other_user)]),
    ("GET", "/api/v1/outbox?status=dead", None, [(A.MANAGE_OUTBOX, nothing)]),
    ("POST", "/api/v1/outbox/{outbox_id}/requeue", None, [(A.MANAGE_OUTBOX, nothing)]),
    ("POST", "/api/v1/outbox/requeue", {"filter": {}}, [(A.MANAGE_OUTBOX, nothing)]),
    ("GET", "/api/v1/audit", None, [(A.READ_AUDIT_TRAIL, nothing)]),
    ("GET", "/api/v1/audit?format=csv&entity_type=channel", None, [(A.READ_AUDIT_TRAIL, nothing)]),
    ("GET", "/api/v1/audit?instance_id={complaint}", None, [(A.READ_INSTANCES, nothing)]),
    ("PUT", "/api/v1/tasks/{claimed}/follow-up", {"date": "2026-12-01"}, [(A.SET_FOLLOW_UP, claimed_task)]),
    ("DELETE", "/api/v1/tasks/{claimed}/follow-up", None, [(A.SET_FOLLOW_UP, claimed_task)]),
    ("GET", "/api/v1/tasks?sort=follow_up", None, [(A.READ_TASKS, nothing)]),
    ("PATCH", "/api/v1/users/{user}", {"display_name": "新名字"}, [(A.EDIT_PROFILE, other_user)]),
    ("PATCH", "/api/v1/users/{user}", {"groups": ["finance"], "active": True}, [(A.MANAGE_USERS, nothing)]),
    ("POST", "/api/v1/users/{user}/password", {"password": "a new password"}, [(A.RESET_PASSWORD, nothing)]),
    ("POST", "/api/v1/users/me/password", {"old_password": OLD_PASSWORD, "new_password": "a new password"},
     [(A.CHANGE_PASSWORD, oneself)]),
    ("GET", "/api/v1/groups", None, [(A.READ_GROUPS, nothing)]),
    ("POST", "/api/v1/groups", {"code": "region:east", "title_zh": "东区", "title_en": "East"},
     [(A.MANAGE_GROUPS, nothing)]),
    ("GET", "/api/v1/groups/market", None, [(A.READ_GROUPS, nothing)]),
    ("PATCH", "/api/v1/groups/market", {"description": "市场部审核"}, [(A.MANAGE_GROUPS, nothing)]),
    # inbox: bulk decisions answer 200 with a result per task; each task is checked (test_api__inbox_cards)
    ("POST", "/api/v1/tasks/bulk-decisions", {"task_ids": [1], "decision": "approve"}, [(A.READ_TASKS, nothing)]),
]


def allowed_roles(world: World, checks: list[tuple[str, Obj]] | None) -> set[str]:
    """The roles the permission table lets through every check of a call."""
    if checks is None:
        return set(ROLES)
    return {role for role, actor in world.actors.items()
            if all(permissions.allows(actor, action, obj(world, actor)) for action, obj in checks)}


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


@pytest.mark.parametrize(("method", "path", "body", "checks"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_each_endpoint_admits_exactly_the_roles_the_permission_table_allows(
    client: TestClient, world: World, method: str, path: str, body: Any, checks: list[tuple[str, Obj]] | None
) -> None:
    allowed = allowed_roles(world, checks)
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
                .replace("{channel}", "{channel_id}").replace("{delegation}", "{delegation_id}")
                .replace("/groups/market", "/groups/{code}").split("?")[0])
               for m, p, _, _ in ENDPOINTS}
    assert routes - covered - {("POST", "/api/v1/auth/token")} == set()
