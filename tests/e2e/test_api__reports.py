"""Over HTTP: the SLA report and the company calendar (entries and coverage)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.timers import fire_due_timers
from workflows.services.users import actor_for, add_user

PROBLEM = "application/problem+json"
REPORT = "/api/v1/reports/sla"
ENTRIES = "/api/v1/calendar/entries"


@pytest.fixture
def two_complaints(svc: Services, clock: FixedClock) -> None:
    """Opened Monday 23 November 2026 09:00 Shanghai: one acknowledged at 10:00, one breached at 14:00; now 15:00."""
    add_user(svc, actor=SYSTEM, login="manager", roles=["channel_manager"])
    manager = actor_for(svc, login="manager")
    acknowledged = start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"})
    start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"})
    clock.set(datetime(2026, 11, 23, 2, tzinfo=UTC))
    fire_trigger(svc, actor=manager, instance_id=acknowledged.id, trigger="acknowledge")
    clock.set(datetime(2026, 11, 23, 6, tzinfo=UTC))
    assert fire_due_timers(svc).fired == 2
    clock.set(datetime(2026, 11, 23, 7, tzinfo=UTC))  # 15:00


def test_the_sla_report_counts_the_goals_met_and_breached_in_the_window(
    client: TestClient, login_as: LoginFactory, two_complaints: None
) -> None:
    response = client.get(REPORT, headers=login_as(), params={
        "workflow": "complaint", "from": "2026-11-23T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"})
    assert response.status_code == 200, response.text
    body = response.json()
    first = next(goal for goal in body["goals"] if goal["goal"] == "first_response")
    assert (first["met"], first["breached"], first["attainment"]) == (1, 1, 50.0)
    assert first["average_used_seconds"] == (3600 + 4 * 3600) / 2
    assert (body["start"], body["end"]) == ("2026-11-23T00:00:00+08:00", "2026-11-24T00:00:00+08:00")


def test_without_from_and_to_the_report_covers_the_last_30_days(
    client: TestClient, login_as: LoginFactory, two_complaints: None
) -> None:
    body = client.get(REPORT, headers=login_as(), params={"workflow": "complaint"}).json()
    assert (body["start"], body["end"]) == ("2026-10-24T07:00:00Z", "2026-11-23T07:00:00Z")
    assert sum(goal["met"] + goal["breached"] for goal in body["goals"]) == 2


@pytest.mark.parametrize("moment", ["2026-11-01T00:00:00", "yesterday", "2026-11-01 00:00:00 08:00"])
def test_a_from_without_a_timezone_or_not_a_datetime_is_a_422_problem(
    client: TestClient, login_as: LoginFactory, moment: str
) -> None:
    response = client.get(REPORT, headers=login_as(), params={"workflow": "complaint", "from": moment})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [error["path"] for error in response.json()["errors"]] == ["query.from"]


def test_a_window_that_ends_before_it_starts_is_a_422_problem(client: TestClient, login_as: LoginFactory) -> None:
    response = client.get(REPORT, headers=login_as(), params={
        "workflow": "complaint", "from": "2026-11-02T00:00:00+08:00", "to": "2026-11-01T00:00:00+08:00"})
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)


def test_a_report_on_an_unknown_workflow_is_a_404_problem(client: TestClient, login_as: LoginFactory) -> None:
    response = client.get(REPORT, headers=login_as(), params={"workflow": "nothing"})
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


def test_an_admin_adds_lists_and_removes_a_company_holiday(
    client: TestClient, login_as: LoginFactory, svc: Services
) -> None:
    admin, user = login_as(admin=True), login_as()
    created = client.post(ENTRIES, headers=admin, json={"day": "2026-11-24", "kind": "holiday", "note": "年会"})
    assert created.status_code == 201, created.text
    assert not svc.calendar.is_working_day(datetime(2026, 11, 24).date())
    listed = client.get(ENTRIES, headers=user, params={"year": 2026}).json()
    assert [(e["day"], e["kind"], e["note"]) for e in listed] == [("2026-11-24", "holiday", "年会")]
    assert client.delete(f"{ENTRIES}/2026-11-24", headers=admin).status_code == 204
    assert client.delete(f"{ENTRIES}/2026-11-24", headers=admin).status_code == 404
    assert svc.calendar.is_working_day(datetime(2026, 11, 24).date())


def test_a_second_entry_for_a_day_is_a_409_problem(client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    assert client.post(ENTRIES, headers=admin, json={"day": "2026-11-24", "kind": "holiday"}).status_code == 201
    again = client.post(ENTRIES, headers=admin, json={"day": "2026-11-24", "kind": "workday"})
    assert (again.status_code, again.headers["content-type"]) == (409, PROBLEM)


def test_an_unknown_kind_is_a_422_problem(client: TestClient, login_as: LoginFactory) -> None:
    response = client.post(ENTRIES, headers=login_as(admin=True), json={"day": "2026-11-24", "kind": "party"})
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["body.kind"]


def test_coverage_warns_about_a_year_without_an_official_schedule(client: TestClient, login_as: LoginFactory) -> None:
    headers = login_as()
    assert client.get("/api/v1/calendar/coverage", headers=headers, params={"year": 2026}).json() == {
        "year": 2026, "covered": True, "warning": None, "entries": 0}
    uncovered = client.get("/api/v1/calendar/coverage", headers=headers, params={"year": 2027}).json()
    assert uncovered["covered"] is False
    assert "company calendar entries" in uncovered["warning"]
