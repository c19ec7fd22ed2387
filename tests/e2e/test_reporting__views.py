"""The `reporting_*` views answer on both databases and agree with what the API says about the same data."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, text
from sqlalchemy.exc import DBAPIError

from tests.support import channel_factories as cf
from tests.support.fixtures import LoginFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.persistence import migrate
from workflows.persistence.types import UTCDateTime
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.timers import fire_due_timers
from workflows.services.users import actor_for, add_user

COLUMNS = {  # the documented, stable column names (docs/reports.md)
    "reporting_channels": ["channel_id", "channel_code", "channel_name", "channel_type", "region", "manager_id",
                           "manager_login", "stage", "stars", "card", "monthly_target", "active", "created_at",
                           "updated_at"],
    "reporting_kpis": ["kpi_id", "channel_id", "channel_code", "channel_name", "channel_type", "region", "period",
                       "year", "month", "sales_target", "sales_actual", "attainment_pct", "satisfaction",
                       "on_time_rate", "return_rate", "activity", "late", "reported_at", "reported_by"],
    "reporting_card_changes": ["change_id", "changed_at", "channel_id", "channel_code", "channel_name", "region",
                               "from_card", "to_card", "instance_id", "actor_login", "comment"],
    "reporting_instances": ["instance_id", "workflow", "definition_version", "subject_type", "subject_id", "state",
                            "status", "requester_id", "requester_login", "created_at", "updated_at",
                            "state_entered_at", "closed_at"],
    "reporting_tasks": ["task_id", "instance_id", "workflow", "task_name", "candidate_group", "assignee_id",
                        "assignee_login", "status", "decision", "created_at", "due_at", "completed_at",
                        "completed_by", "completed_by_login", "escalated_at", "decided_late"],
    "reporting_sla_clocks": ["clock_id", "instance_id", "workflow", "goal", "working_time", "target_seconds",
                             "used_seconds", "status", "started_at", "due_at", "stopped_at", "breached_at", "met"],
}


@pytest.fixture
def seeded(svc: Services, clock: FixedClock) -> dict[str, Any]:
    """Channels with KPI rows and a yellow card; complaints (one met, two breached); an onboarding under review."""
    east = cf.channel(svc, code="E-1", region="east")
    cf.channel(svc, code="W-1", region="west")
    cf.report(svc, "E-1", {"2026-09": 80.0, "2026-10": 125.0}, target=100.0)
    card = start_instance(svc, actor=SYSTEM, workflow="card_escalation",
                          subject={"type": "channel", "id": str(east.id)})
    fire_trigger(svc, actor=SYSTEM, instance_id=card.id, trigger="issue_yellow")
    add_user(svc, actor=SYSTEM, login="manager", roles=["channel_manager"])
    manager = actor_for(svc, login="manager")
    complaints = [start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"}).id
                  for _ in range(3)]
    onboarding = start_instance(svc, actor=manager, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=manager, instance_id=onboarding.id, trigger="submit")
    clock.set(datetime(2026, 11, 23, 2, tzinfo=UTC))
    fire_trigger(svc, actor=manager, instance_id=complaints[0], trigger="acknowledge")
    clock.set(datetime(2026, 11, 23, 6, tzinfo=UTC))
    fire_due_timers(svc)
    clock.set(datetime(2026, 11, 23, 7, tzinfo=UTC))
    return {"east": east.id}


def _rows(svc: Services, sql: str, **params: Any) -> list[dict[str, Any]]:
    statement = text(sql)
    if params:
        statement = statement.bindparams(*(bindparam(name, type_=UTCDateTime()) for name in params))
    with svc.uow(write=False) as uow:
        return [dict(r) for r in uow.conn.execute(statement, params).mappings()]


def test_every_view_answers_with_its_documented_columns(svc: Services, seeded: dict[str, Any]) -> None:
    for view, columns in COLUMNS.items():
        with svc.uow(write=False) as uow:
            result = uow.conn.execute(text(f"SELECT * FROM {view}"))
            assert (view, list(result.keys())) == (view, columns)
            assert result.fetchall(), f"{view} is empty"


def test_instances_per_workflow_and_state_agree_with_the_instances_list(
    client: TestClient, login_as: LoginFactory, svc: Services, seeded: dict[str, Any]
) -> None:
    listed = client.get("/api/v1/instances", headers=login_as(), params={"limit": 500}).json()["items"]
    view = _rows(svc, "SELECT workflow, state, COUNT(*) AS n FROM reporting_instances GROUP BY workflow, state")
    assert {(r["workflow"], r["state"]): r["n"] for r in view} == Counter((i["workflow"], i["state"]) for i in listed)


def test_sla_attainment_from_the_view_equals_the_sla_report(
    client: TestClient, login_as: LoginFactory, svc: Services, seeded: dict[str, Any]
) -> None:
    report = client.get("/api/v1/reports/sla", headers=login_as(), params={
        "workflow": "complaint", "from": "2026-11-23T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"}).json()
    view = _rows(svc, "SELECT goal, SUM(met) AS met, COUNT(met) - SUM(met) AS breached, "
                      "ROUND(100.0 * SUM(met) / COUNT(met), 2) AS attainment FROM reporting_sla_clocks "
                      "WHERE workflow = 'complaint' AND met IS NOT NULL AND stopped_at >= :start AND stopped_at < :end "
                      "GROUP BY goal",
                 start=datetime(2026, 11, 22, 16, tzinfo=UTC), end=datetime(2026, 11, 23, 16, tzinfo=UTC))
    expected = {g["goal"]: (g["met"], g["breached"], g["attainment"])
                for g in report["goals"] if g["met"] + g["breached"]}
    assert {r["goal"]: (r["met"], r["breached"], float(r["attainment"])) for r in view} == expected
    assert expected["first_response"] == (1, 2, 33.33)


def test_kpi_attainment_and_card_changes_agree_with_the_channel_page(
    client: TestClient, login_as: LoginFactory, svc: Services, seeded: dict[str, Any]
) -> None:
    detail = client.get(f"/api/v1/channels/{seeded['east']}", headers=login_as()).json()
    kpis = _rows(svc, "SELECT period, year, month, attainment_pct FROM reporting_kpis WHERE channel_code = 'E-1' "
                      "ORDER BY period")
    assert [(k["period"], k["year"], k["month"], round(k["attainment_pct"], 2)) for k in kpis] == [
        (k["period"], int(k["period"][:4]), int(k["period"][5:]), k["attainment"]) for k in detail["kpis"]]
    cards = _rows(svc, "SELECT channel_code, from_card, to_card FROM reporting_card_changes")
    assert cards == [{"channel_code": "E-1", "from_card": "none", "to_card": detail["channel"]["card"]}]
    assert detail["channel"]["card"] == "yellow"


def test_tasks_and_channels_agree_with_the_exports_of_an_auditor(
    client: TestClient, login_as: LoginFactory, svc: Services, seeded: dict[str, Any]
) -> None:
    auditor = login_as(roles=("viewer",))
    exported = client.get("/api/v1/exports/tasks", headers=auditor, params={"lang": "en"}).text.splitlines()[1:]
    view = _rows(svc, "SELECT task_id, candidate_group, status FROM reporting_tasks ORDER BY task_id")
    assert [(str(r["task_id"]), r["candidate_group"] or "", r["status"]) for r in view] == [
        (line.split(",")[0], line.split(",")[4], line.split(",")[6]) for line in exported]
    channels = client.get("/api/v1/channels", headers=auditor).json()["items"]
    assert [r["channel_code"] for r in _rows(svc, "SELECT channel_code FROM reporting_channels ORDER BY channel_code")
            ] == [c["code"] for c in channels]


def test_downgrading_drops_the_views_and_upgrading_brings_them_back(database_url: str, svc: Services) -> None:
    command.downgrade(migrate.alembic_config(database_url), "0006")
    with pytest.raises(DBAPIError, match="reporting_channels"):
        _rows(svc, "SELECT COUNT(*) AS n FROM reporting_channels")
    migrate.upgrade(database_url)
    assert _rows(svc, "SELECT COUNT(*) AS n FROM reporting_channels") == [{"n": 0}]
