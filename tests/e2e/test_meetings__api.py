"""Meetings over HTTP: create a series, read and download its agenda, decide, read the minutes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from channelops.settings import Settings
from tests.support.fixtures import bearer
from tests.support.meetings import World, seed
from workflows.services.context import Services


@pytest.fixture
def world(svc: Services) -> World:
    return seed(svc)


@pytest.fixture
def chen(settings: Settings, world: World) -> dict[str, str]:
    return bearer(settings, world.committee.id or 0)


def _prepared(client: TestClient, world: World, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"/api/v1/meetings/{world.meeting.id}/agenda", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_committee_creates_a_monthly_series_with_holiday_shifts(client: TestClient, chen: dict[str, str]) -> None:
    response = client.post("/api/v1/meetings", headers=chen, json={
        "kind": "joint", "starts_at": "2026-12-01T10:00:00+08:00", "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "attendee_groups": ["committee", "market", "sales", "finance", "it"], "location": "总部 3 楼"})

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title_zh"] == "跨部门联席会议" and len(body["upcoming"]) == 6
    assert [o["starts_at"][:10] for o in body["upcoming"][:2]] == ["2026-12-01", "2027-01-05"]
    assert client.get(f"/api/v1/meetings/{body['id']}", headers=chen).json()["id"] == body["id"]


def test_bad_input_is_a_422_with_every_problem(client: TestClient, chen: dict[str, str]) -> None:
    response = client.post("/api/v1/meetings", headers=chen, json={
        "kind": "joint", "starts_at": "2026-12-01T10:00:00", "rrule": "FREQ=SECONDLY",
        "attendee_groups": ["nobody"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    response = client.post("/api/v1/meetings", headers=chen, json={
        "kind": "joint", "starts_at": "2026-12-01T10:00:00", "attendee_groups": ["nobody"], "timezone": "Mars/Base"})
    paths = {e["path"] for e in response.json()["errors"]}
    assert paths == {"starts_at", "attendee_groups", "timezone"}


@pytest.mark.parametrize(("fmt", "media", "marker"), [
    ("json", "application/json", '"sections"'), ("md", "text/markdown", "# 跨部门联席会议 · 会议议程"),
    ("html", "text/html", "<!DOCTYPE html>"), ("ics", "text/calendar", "METHOD:REQUEST")])
def test_agenda_renders_in_every_format(client: TestClient, world: World, chen: dict[str, str], fmt: str,
                                        media: str, marker: str) -> None:
    _prepared(client, world, chen)
    response = client.get(f"/api/v1/meetings/{world.meeting.id}/agenda?format={fmt}&lang=zh", headers=chen)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media) and marker in response.text


def test_an_attendee_reads_in_english_and_downloads_the_invite(client: TestClient, world: World,
                                                               settings: Settings, chen: dict[str, str]) -> None:
    _prepared(client, world, chen)
    li = bearer(settings, world.member.id or 0)  # locale en
    md = client.get(f"/api/v1/meetings/{world.meeting.id}/agenda?format=md", headers=li)
    ics = client.get(f"/api/v1/meetings/{world.meeting.id}/agenda?format=ics", headers=li)

    assert "Pending terminations" in md.text and "Decision asked" in md.text
    assert ics.headers["content-disposition"].startswith("attachment; filename=")
    event = Calendar.from_ical(ics.text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Cross-department joint meeting"


def test_a_decision_posted_twice_with_one_key_fires_once_and_shows_in_the_minutes(
        client: TestClient, world: World, chen: dict[str, str]) -> None:
    agenda = _prepared(client, world, chen)
    item = next(s for s in agenda["sections"] if s["name"] == "terminations")["items"][0]
    url = f"/api/v1/meetings/{world.meeting.id}/decisions"
    body = {"item_id": item["id"], "summary": "终止合作", "trigger": "terminate"}
    headers = {**chen, "Idempotency-Key": "decide-1"}

    first, second = client.post(url, json=body, headers=headers), client.post(url, json=body, headers=headers)
    third = client.post(url, json=body, headers=chen)

    assert (first.status_code, second.status_code, third.status_code) == (201, 201, 409)
    assert first.json() == second.json() and first.json()["to_state"] == "terminated"
    history = client.get(f"/api/v1/instances/{item['instance_id']}/history", headers=chen).json()
    assert sum(e["trigger"] == "terminate" and e["action"] == "transition" for e in history) == 1
    present = client.put(f"/api/v1/meetings/{world.meeting.id}/attendance", headers=chen,
                         json={"present": [world.committee.id]})
    assert present.status_code == 200
    minutes = client.get(f"/api/v1/meetings/{world.meeting.id}/minutes?format=md&lang=en", headers=chen).text
    assert "# Cross-department joint meeting · Minutes" in minutes and "终止合作" in minutes
    assert "**Present**: Chen" in minutes


def test_a_trigger_the_instance_cannot_take_is_a_409_and_records_nothing(
        client: TestClient, world: World, chen: dict[str, str]) -> None:
    agenda = _prepared(client, world, chen)
    item = next(s for s in agenda["sections"] if s["name"] == "terminations")["items"][0]
    url = f"/api/v1/meetings/{world.meeting.id}/decisions"
    refused = client.post(url, json={"item_id": item["id"], "summary": "x", "trigger": "issue_yellow"}, headers=chen)
    assert refused.status_code == 409
    again = client.get(f"/api/v1/meetings/{world.meeting.id}/agenda", headers=chen).json()
    item_now = next(s for s in again["sections"] if s["name"] == "terminations")["items"][0]
    assert item_now["decision"] is None and item_now["status"] == "open"


def test_unknown_meetings_and_items_are_404(client: TestClient, world: World, chen: dict[str, str]) -> None:
    assert client.get("/api/v1/meetings/9999/agenda", headers=chen).status_code == 404
    response = client.post(f"/api/v1/meetings/{world.meeting.id}/decisions", headers=chen,
                           json={"item_id": 9999, "summary": "x"})
    assert response.status_code == 404
