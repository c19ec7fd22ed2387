"""`GET /api/v1/audit`: the audit trail of everything, filtered, newest first, a page at a time by
cursor, or the whole filtered trail as CSV; for admins and auditors (viewers) only, on SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import channel_factories as cf
from tests.support.fixtures import LoginFactory
from workflows.adapters.clock import FixedClock
from workflows.services.calendar_entries import add_calendar_entry
from workflows.services.context import Services

AUDIT = "/api/v1/audit"


@pytest.fixture
def trail(svc: Services, clock: FixedClock) -> dict[str, int]:
    """Three channels created by an admin (one an hour later), a calendar day added, one channel renamed."""
    from datetime import date

    from channels.registry import update_channel

    admin = cf.admin(svc)
    first = cf.channel(svc, code="A-1")
    cf.channel(svc, code="A-2")
    clock.advance(timedelta(hours=1))
    third = cf.channel(svc, code="A-3")
    add_calendar_entry(svc, actor=admin, day=date(2027, 1, 4), kind="holiday", note="company day")
    update_channel(svc, actor=admin, channel_id=first.id, changes={"name": "新名字"})
    return {"first": first.id, "third": third.id}


def get(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(AUDIT, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_auditor_filters_the_trail_by_entity_and_reads_it_newest_first(
        client: TestClient, login_as: LoginFactory, trail: dict[str, int]) -> None:
    auditor = login_as(roles=("viewer",))
    page = get(client, auditor, entity_type="channel", entity_id=str(trail["first"]))
    assert [(row["action"], row["entity_type"], row["entity_id"]) for row in page["items"]][:1] == [
        ("changed", "channel", str(trail["first"]))]
    assert {row["entity_id"] for row in page["items"]} == {str(trail["first"])}
    assert page["items"] == sorted(page["items"], key=lambda row: row["id"], reverse=True)
    assert page["next_cursor"] is None
    calendar = get(client, auditor, entity_type="calendar")["items"]
    assert [(row["action"], row["entity_id"], row["data"]["note"]) for row in calendar] == [
        ("calendar_entry_added", "2027-01-04", "company day")]


def test_the_trail_filters_by_who_acted_what_they_did_and_a_time_window(
        client: TestClient, login_as: LoginFactory, trail: dict[str, int], clock: FixedClock) -> None:
    admin = login_as(admin=True)
    by_admin = get(client, admin, actor="kpi_admin", action="calendar_entry_added")["items"]
    assert [row["actor_login"] for row in by_admin] == ["kpi_admin"]
    assert get(client, admin, actor="nobody")["items"] == []
    since = (clock.now() - timedelta(minutes=1)).isoformat()
    later = get(client, admin, entity_type="channel", **{"from": since})["items"]
    assert str(trail["third"]) in {row["entity_id"] for row in later}
    assert str(trail["first"]) not in {row["entity_id"] for row in later if row["action"] == "created"}


def test_pages_follow_each_other_by_cursor_without_gaps_or_repeats(
        client: TestClient, login_as: LoginFactory, trail: dict[str, int]) -> None:
    admin = login_as(admin=True)
    everything = [row["id"] for row in get(client, admin, limit=500)["items"]]
    assert len(everything) > 4
    seen: list[int] = []
    cursor = None
    while True:
        page = get(client, admin, limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 2 and page["limit"] == 2
        seen += [row["id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_the_filtered_trail_downloads_as_csv_oldest_first_in_the_callers_language(
        client: TestClient, login_as: LoginFactory, trail: dict[str, int]) -> None:
    response = client.get(AUDIT, headers=login_as(admin=True), params={"format": "csv", "entity_type": "calendar"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="channelops-audit-2026-11-23.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:6] == ["记录号", "时间", "操作人", "动作", "对象类型", "对象编号"]
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [("kpi_admin", "calendar_entry_added", "calendar", "2027-01-04")]
    english = client.get(AUDIT, headers=login_as(admin=True), params={"format": "csv", "lang": "en"})
    assert english.content.decode("utf-8-sig").splitlines()[0].startswith("Entry,When,Who,Action,Entity type")


def test_someone_who_is_not_an_admin_or_auditor_is_refused_with_a_reason(
        client: TestClient, login_as: LoginFactory, trail: dict[str, int]) -> None:
    response = client.get(AUDIT, headers=login_as(roles=("channel_manager",)))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "only admins and auditors may read the whole audit trail" in response.json()["detail"]
    assert client.get(AUDIT, params={"format": "csv"}, headers=login_as("market")).status_code == 403


@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"cursor": 0}, "cursor"),
    ({"from": "2026-11-01T00:00:00"}, "from"),
    ({"from": "2026-11-02T00:00:00+08:00", "to": "2026-11-01T00:00:00+08:00"}, "from"),
    ({"format": "pdf"}, "format"), ({"entity_type": "x" * 31}, "entity_type"),
])
def test_a_bad_filter_is_a_422_naming_the_parameter(client: TestClient, login_as: LoginFactory,
                                                      params: dict[str, Any], field: str) -> None:
    response = client.get(AUDIT, headers=login_as(admin=True), params=params)
    assert response.status_code == 422, response.text
    assert field in response.text
