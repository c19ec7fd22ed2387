"""Over HTTP: CSV and XLSX exports parsed back, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.support import channel_factories as cf
from tests.support.fixtures import LoginFactory
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance
from workflows.services.timers import fire_due_timers
from workflows.services.users import actor_for, add_user

EXPORTS = "/api/v1/exports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(response: object) -> list[list[str]]:
    content: bytes = response.content  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def channels(svc: Services) -> None:
    """Three channels: two in the east (one named like a formula), one in the west, with KPI rows."""
    cf.channel(svc, code="E-1", region="east", monthly_target=1000)
    cf.channel(svc, code="E-2", region="east")
    cf.channel(svc, code="W-1", region="west")
    from channels.registry import update_channel

    update_channel(svc, actor=cf.admin(svc), channel_id=2, changes={"name": "=HYPERLINK(\"http://x\",\"点我\")"})
    cf.report(svc, "E-1", {"2026-09": 80.0, "2026-10": 125.0}, target=100.0, satisfaction=4.5)


def test_a_csv_export_of_channels_has_a_bom_chinese_headers_and_every_channel(
    client: TestClient, login_as: LoginFactory, channels: None
) -> None:
    response = client.get(f"{EXPORTS}/channels", headers=login_as())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="channelops-channels-2026-11-23.csv"'
    header, *rows = rows_of(response)
    assert header[:6] == ["编码", "名称", "类型", "区域", "渠道经理", "阶段"]
    assert [(r[0], r[3], r[5], r[8]) for r in rows] == [
        ("E-1", "east", "introduction", "1000.0"), ("E-2", "east", "introduction", ""),
        ("W-1", "west", "introduction", "")]
    assert rows[0][1] == "测试渠道"


def test_english_headers_are_given_with_lang_en(client: TestClient, login_as: LoginFactory, channels: None) -> None:
    header = rows_of(client.get(f"{EXPORTS}/channels", headers=login_as(), params={"lang": "en"}))[0]
    assert header[:6] == ["Code", "Name", "Type", "Region", "Manager", "Stage"]


def test_a_cell_that_starts_like_a_formula_is_prefixed_with_a_quote_in_csv_and_xlsx(
    client: TestClient, login_as: LoginFactory, channels: None
) -> None:
    headers = login_as()
    name = rows_of(client.get(f"{EXPORTS}/channels", headers=headers, params={"q": "E-2"}))[1][1]
    assert name == "'=HYPERLINK(\"http://x\",\"点我\")"
    book = load_workbook(io.BytesIO(client.get(f"{EXPORTS}/channels", headers=headers,
                                               params={"q": "E-2", "format": "xlsx"}).content))
    cell = book.worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ("'=HYPERLINK(\"http://x\",\"点我\")", "s")


def test_the_channel_filters_apply_to_the_export(client: TestClient, login_as: LoginFactory, channels: None) -> None:
    rows = rows_of(client.get(f"{EXPORTS}/channels", headers=login_as(), params={"region": "west"}))[1:]
    assert [r[0] for r in rows] == ["W-1"]


def test_an_xlsx_export_of_kpis_holds_numbers_as_numbers_and_times_as_local_datetimes(
    client: TestClient, login_as: LoginFactory, channels: None
) -> None:
    response = client.get(f"{EXPORTS}/kpis", headers=login_as(), params={"format": "xlsx", "lang": "en"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="channelops-kpis-2026-11-23.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet.title == "KPI rows"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:8] == ("Code", "Name", "Region", "Month", "Sales target", "Sales", "Attainment (%)",
                           "Customer satisfaction")
    assert [r[:8] for r in rows[1:]] == [("E-1", "测试渠道", "east", "2026-09", 100.0, 80.0, 80.0, 4.5),
                                         ("E-1", "测试渠道", "east", "2026-10", 100.0, 125.0, 125.0, 4.5)]
    late, reported_at = rows[1][11], rows[1][12]
    assert late is True  # September, reported on 23 November
    assert reported_at == datetime(2026, 11, 23, 9, 0)  # the fixed clock, 01:00 UTC, in Shanghai


def test_the_kpi_months_filter_is_inclusive_and_a_bad_month_is_a_422(
    client: TestClient, login_as: LoginFactory, channels: None
) -> None:
    headers = login_as()
    rows = rows_of(client.get(f"{EXPORTS}/kpis", headers=headers, params={"from": "2026-10", "to": "2026-10"}))
    assert [r[3] for r in rows[1:]] == ["2026-10"]
    refused = client.get(f"{EXPORTS}/kpis", headers=headers, params={"from": "2026-13"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"


@pytest.fixture
def complaints(svc: Services, clock: FixedClock) -> list[int]:
    """Three complaints by a channel manager; one acknowledged, one breached (as in test_api__reports)."""
    add_user(svc, actor=SYSTEM, login="manager", roles=["channel_manager"])
    manager = actor_for(svc, login="manager")
    ids = [start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high", "note": "+86 电话"}).id
           for _ in range(3)]
    clock.set(datetime(2026, 11, 23, 2, tzinfo=UTC))
    fire_trigger(svc, actor=manager, instance_id=ids[0], trigger="acknowledge", comment="已联系客户")
    clock.set(datetime(2026, 11, 23, 6, tzinfo=UTC))
    fire_due_timers(svc)
    clock.set(datetime(2026, 11, 23, 7, tzinfo=UTC))
    return ids


def test_the_instances_export_lists_each_instance_with_its_workflow_title_and_state(
    client: TestClient, login_as: LoginFactory, complaints: list[int]
) -> None:
    header, *rows = rows_of(client.get(f"{EXPORTS}/instances", headers=login_as(),
                                       params={"workflow": "complaint"}))
    assert header[:3] == ["实例号", "流程", "流程名称"]
    assert [int(r[0]) for r in rows] == complaints
    assert {r[2] for r in rows} == {"投诉处理"}
    assert [r[8] for r in rows] == ["manager"] * 3
    assert rows[0][13] == '{"note": "+86 电话", "severity": "high"}'


def test_the_instances_export_agrees_with_the_list_per_state(
    client: TestClient, login_as: LoginFactory, complaints: list[int]
) -> None:
    headers = login_as()
    rows = rows_of(client.get(f"{EXPORTS}/instances", headers=headers))[1:]
    listed = client.get("/api/v1/instances", headers=headers, params={"limit": 500}).json()["items"]
    assert sorted((int(r[0]), r[6]) for r in rows) == sorted((i["id"], i["state"]) for i in listed)


def test_the_sla_report_export_has_the_numbers_of_the_json_report(
    client: TestClient, login_as: LoginFactory, complaints: list[int]
) -> None:
    headers = login_as()
    window = {"workflow": "complaint", "from": "2026-11-23T00:00:00+08:00", "to": "2026-11-24T00:00:00+08:00"}
    report = client.get("/api/v1/reports/sla", headers=headers, params=window).json()
    sheet = load_workbook(io.BytesIO(client.get(f"{EXPORTS}/reports/sla", headers=headers,
                                                params={**window, "format": "xlsx"}).content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("流程", "SLA 目标", "达标", "超时", "达成率 (%)")
    assert [r[1:5] for r in rows[1:]] == [(g["goal"], g["met"], g["breached"], g["attainment"])
                                         for g in report["goals"]]
    first = next(r for r in rows[1:] if r[1] == "first_response")
    assert first[2:7] == (1, 2, 33.33, 3.0, 0)  # 1 h, 4 h, 4 h used
    assert first[7] == datetime(2026, 11, 23, 0, 0)


def test_a_reviewer_may_not_export_the_whole_audit_trail_but_an_auditor_may(
    client: TestClient, login_as: LoginFactory, complaints: list[int]
) -> None:
    refused = client.get(f"{EXPORTS}/audit", headers=login_as("market", roles=("reviewer",)))
    assert refused.status_code == 403
    assert "auditors" in refused.json()["detail"]
    rows = rows_of(client.get(f"{EXPORTS}/audit", headers=login_as(roles=("viewer",))))[1:]
    assert {r[3] for r in rows} >= {"started", "transition"}
    assert {int(r[6]) for r in rows if r[6]} == set(complaints)


def test_a_reviewer_may_export_one_instances_history(
    client: TestClient, login_as: LoginFactory, complaints: list[int]
) -> None:
    headers = login_as("market", roles=("reviewer",))
    rows = rows_of(client.get(f"{EXPORTS}/audit", headers=headers, params={"instance_id": complaints[0]}))[1:]
    history = client.get(f"/api/v1/instances/{complaints[0]}/history", headers=headers).json()
    assert [(int(r[0]), r[3], r[8], r[10]) for r in rows] == [
        (h["id"], h["action"], h["to_state"] or "", h["comment"] or "") for h in history]
    assert "已联系客户" in [r[10] for r in rows]


def test_a_reviewer_exports_only_the_tasks_of_their_groups_and_an_auditor_every_task(
    client: TestClient, svc: Services, login_as: LoginFactory
) -> None:
    add_user(svc, actor=SYSTEM, login="applicant", roles=["channel_manager"])
    applicant = actor_for(svc, login="applicant")
    onboarding = start_instance(svc, actor=applicant, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(svc, actor=applicant, instance_id=onboarding.id, trigger="submit")
    mine = rows_of(client.get(f"{EXPORTS}/tasks", headers=login_as("finance", roles=("reviewer",))))[1:]
    every = rows_of(client.get(f"{EXPORTS}/tasks", headers=login_as(roles=("viewer",))))[1:]
    assert [r[4] for r in mine] == ["finance"]
    assert sorted(r[4] for r in every) == ["finance", "market", "sales"]
    assert {r[6] for r in every} == {"open"}


def test_the_export_needs_a_login(client: TestClient) -> None:
    assert client.get(f"{EXPORTS}/channels").status_code == 401


def test_an_unknown_format_is_a_422(client: TestClient, login_as: LoginFactory) -> None:
    response = client.get(f"{EXPORTS}/channels", headers=login_as(), params={"format": "pdf"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_window_whose_start_is_after_its_end_is_a_422(client: TestClient, login_as: LoginFactory) -> None:
    response = client.get(f"{EXPORTS}/audit", headers=login_as(roles=("viewer",)),
                          params={"from": "2026-11-02T00:00:00+08:00", "to": "2026-11-01T00:00:00+08:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "from"
