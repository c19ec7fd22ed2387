"""Over HTTP: the compliance and process reports as JSON and as pages in zh and en, and their 4xx problems."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from channelops.settings import Settings
from tests.support.fixtures import bearer
from tests.support.report_world import ReportWorld, seed_report_world
from tests.support.ui import sign_in
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import add_user

PROBLEM = "application/problem+json"
COMPLIANCE, PROCESS = "/api/v1/reports/compliance", "/api/v1/reports/process"
ROW_HEADERS = re.compile(r'<th scope="row">(?:<a [^>]*>)?([^<]+)')


@pytest.fixture
def world(svc: Services, clock: FixedClock) -> ReportWorld:
    return seed_report_world(svc, clock)


@pytest.fixture
def committee(svc: Services, settings: Settings, world: ReportWorld) -> dict[str, str]:
    return bearer(settings, world.people["com"].id or 0)


def english_reader(svc: Services) -> str:
    add_user(svc, actor=SYSTEM, login="auditor.en", roles=["viewer"], locale="en")
    return "auditor.en"


def test_the_compliance_json_has_the_figures_people_and_trend_of_each_group(
    client: TestClient, committee: dict[str, str]
) -> None:
    response = client.get(COMPLIANCE, headers=committee, params={"period": "2026-11"})
    assert response.status_code == 200, response.text
    finance = next(g for g in response.json()["groups"] if g["group"] == "finance")
    assert (finance["title_zh"], finance["received"], finance["on_time"], finance["late"]) == ("财务部", 5, 3, 2)
    assert (finance["median_hours"], finance["p90_hours"], finance["sla_attainment"]) == (2.0, 23.4, 50.0)
    assert [p["login"] for p in finance["people"]] == ["com.one", "fin.one", "fin.two"]
    assert len(finance["trend"]) == 12 and finance["trend"][-1]["period"] == "2026-11"


def test_a_member_reads_their_own_group_but_not_another(
    client: TestClient, settings: Settings, world: ReportWorld
) -> None:
    market = bearer(settings, world.people["mkt"].id or 0)
    own = client.get(COMPLIANCE, headers=market, params={"period": "2026-11", "group": "market"})
    other = client.get(COMPLIANCE, headers=market, params={"period": "2026-11", "group": "finance"})
    assert [g["on_time"] for g in own.json()["groups"]] == [2]
    assert (other.status_code, other.headers["content-type"]) == (403, PROBLEM)


@pytest.mark.parametrize("period", ["2026-13", "11-2026", "2026-11-01"])
def test_a_period_that_is_not_a_month_is_a_422_problem_naming_it(
    client: TestClient, committee: dict[str, str], period: str
) -> None:
    response = client.get(COMPLIANCE, headers=committee, params={"period": period})
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert "period" in response.text


def test_an_unknown_group_is_a_404_problem(client: TestClient, committee: dict[str, str]) -> None:
    response = client.get(COMPLIANCE, headers=committee, params={"period": "2026-11", "group": "nobody"})
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert "nobody" in response.json()["detail"]


def test_the_process_json_counts_transitions_with_the_rework_loop(
    client: TestClient, committee: dict[str, str]
) -> None:
    response = client.get(PROCESS, headers=committee, params={"workflow": "channel_onboarding"})
    assert response.status_code == 200, response.text
    body = response.json()
    used = {(x["source"], x["trigger"], x["dest"]): (x["count"], x["rework"]) for x in body["transitions"]}
    assert used[("changes_requested", "resubmit", "under_review")] == (1, 1)
    assert (body["instances"], body["cycle_p50_hours"], body["slowest"][0]) == (3, 34.0, "under_review")
    assert [w["backlog"] for w in body["weekly"]][-1] == 2


@pytest.mark.parametrize(("params", "status"), [
    ({"workflow": "nothing"}, 404), ({"workflow": "channel_onboarding", "version": 9}, 404),
    ({"workflow": "channel_onboarding", "weeks": 0}, 422), ({"workflow": "channel_onboarding", "weeks": 53}, 422),
])
def test_an_unknown_workflow_or_version_or_bad_weeks_is_a_problem(
    client: TestClient, committee: dict[str, str], params: dict[str, object], status: int
) -> None:
    response = client.get(PROCESS, headers=committee, params=params)
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)


def test_the_compliance_page_in_chinese_shows_department_titles_and_figures(
    client: TestClient, svc: Services, world: ReportWorld
) -> None:
    sign_in(client, svc, "com.one")
    page = client.get("/reports/compliance", params={"period": "2026-11"})
    assert page.status_code == 200
    assert "部门制度执行情况 · 2026-11" in page.text
    rows = ROW_HEADERS.findall(page.text)
    assert rows[:4] == ["市场部", "销售部", "财务部", "信息技术部"]
    assert "finance" not in rows and "Fin One" in rows
    assert "23.4 小时" in page.text and "50.0%" in page.text
    assert 'id="chart-compliance-data"' in page.text and "<script>" not in page.text


def test_the_compliance_page_in_english(client: TestClient, svc: Services, world: ReportWorld) -> None:
    sign_in(client, svc, english_reader(svc))
    page = client.get("/reports/compliance", params={"period": "2026-11"})
    assert "Department compliance · 2026-11" in page.text
    assert ROW_HEADERS.findall(page.text)[:4] == ["Market", "Sales", "Finance", "IT"]
    assert "On-time rate over 12 months" in page.text and "23.4 h" in page.text


def test_a_member_opens_the_page_on_their_own_department(client: TestClient, svc: Services, world: ReportWorld
                                                          ) -> None:
    sign_in(client, svc, "sales.one")
    page = client.get("/reports/compliance", params={"period": "2026-11"})
    assert page.status_code == 200
    assert ROW_HEADERS.findall(page.text)[0] == "销售部"
    assert "财务部" not in ROW_HEADERS.findall(page.text)


def test_a_bad_period_on_the_page_is_a_422_page(client: TestClient, svc: Services, world: ReportWorld) -> None:
    sign_in(client, svc, "com.one")
    page = client.get("/reports/compliance", params={"period": "2026-00"})
    assert page.status_code == 422 and "YYYY-MM" in page.text


def test_the_process_page_draws_the_diagram_weighted_by_use_in_chinese(
    client: TestClient, svc: Services, world: ReportWorld
) -> None:
    sign_in(client, svc, "com.one")
    page = client.get("/reports/process", params={"workflow": "channel_onboarding"})
    assert page.status_code == 200
    assert "流程分析 · 渠道入驻审核" in page.text
    assert "flowchart LR" in page.text and "提交 · 3" in page.text and "重新提交 · 1" in page.text
    assert "审核中 · p50 18 h" in page.text
    assert "linkStyle 1 stroke-width:8px,stroke:#14315f" in page.text  # submit, the most used
    assert "实例等待最久的状态：" in page.text


def test_the_process_page_in_english(client: TestClient, svc: Services, world: ReportWorld) -> None:
    sign_in(client, svc, english_reader(svc))
    page = client.get("/reports/process", params={"workflow": "channel_onboarding"})
    assert "Process analytics · Channel onboarding" in page.text
    assert "Resubmit · 1" in page.text and "Transitions taken" in page.text and "Weekly throughput" in page.text


def _csv(response: object) -> list[list[str]]:
    import csv
    import io

    content = response.content  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_compliance_export_has_the_figures_of_the_json_report_under_chinese_headers(
    client: TestClient, committee: dict[str, str]
) -> None:
    response = client.get("/api/v1/exports/reports/compliance", headers=committee,
                          params={"period": "2026-11", "lang": "zh"})
    assert response.status_code == 200, response.text
    header, *rows = _csv(response)
    finance = dict(zip(header, next(row for row in rows if row[1] == "finance"), strict=True))
    counts = (finance["部门（中文）"], finance["收到"], finance["按时办结"], finance["逾期办结"])
    assert counts == ("财务部", "5", "3", "2")
    assert (finance["办理用时中位数（工作小时）"], finance["办理用时 P90（工作小时）"], finance["时限达成率（%）"]) == (
        "2.0", "23.4", "50.0")


def test_a_member_may_not_export_the_compliance_of_every_group(
    client: TestClient, settings: Settings, world: ReportWorld
) -> None:
    market = bearer(settings, world.people["mkt"].id or 0)
    response = client.get("/api/v1/exports/reports/compliance", headers=market, params={"period": "2026-11"})
    assert (response.status_code, response.headers["content-type"]) == (403, PROBLEM)


def test_the_process_export_has_one_row_per_state_with_its_visits(
    client: TestClient, committee: dict[str, str]
) -> None:
    report = client.get(PROCESS, headers=committee, params={"workflow": "channel_onboarding"}).json()
    response = client.get("/api/v1/exports/reports/process", headers=committee,
                          params={"workflow": "channel_onboarding", "lang": "en"})
    header, *rows = _csv(response)
    assert header[:6] == ["Workflow", "Version", "State", "State (zh)", "State (en)", "Visits"]
    assert [(row[2], int(row[5])) for row in rows] == [(s["state"], s["visits"]) for s in report["states"]]
    assert sum(int(row[5]) for row in rows) > 0
