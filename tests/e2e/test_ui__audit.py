"""The audit trail page: filters with titles (not identifiers) in zh and en, newest first, older
pages, the CSV download with the page's filters, and no page (nor menu entry) for whoever may not
read the whole trail."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.support import channel_factories as cf
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services.calendar_entries import add_calendar_entry
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user

ROW = re.compile(r"<tr>\s*<td><time[^>]*>[^<]*</time></td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>")


def rows(page: str) -> list[tuple[str, str, str]]:
    return [tuple(html.unescape(cell) for cell in found) for found in ROW.findall(page)]  # type: ignore[misc]


@pytest.fixture
def world(svc: Services) -> None:
    add_user(svc, actor=SYSTEM, login="auditor", roles=["viewer"])
    add_user(svc, actor=SYSTEM, login="auditor_en", roles=["viewer"], locale="en")
    add_user(svc, actor=SYSTEM, login="manager", roles=["channel_manager"])
    admin = cf.admin(svc)
    cf.channel(svc, code="U-1")
    add_calendar_entry(svc, actor=admin, day=date(2027, 1, 4), kind="holiday", note="公司活动")


def test_an_auditor_sees_the_trail_with_titles_in_chinese_and_filters_it(
        client: TestClient, svc: Services, world: None) -> None:
    sign_in(client, svc, "auditor")
    page = client.get("/audit")
    assert page.status_code == 200, page.text
    assert '<a href="/audit" aria-current="page">审计记录</a>' in page.text
    found = rows(page.text)
    assert found[0] == ("kpi_admin", "添加日历日", "公司日历")  # newest first
    assert ("kpi_admin", "已创建", "渠道") in found
    assert "calendar_entry_added" not in page.text.split("<tbody>")[1]  # titles, not identifiers
    assert '<option value="card_changed" >红黄牌变更</option>' in page.text
    calendar = client.get("/audit", params={"entity_type": "calendar"}).text
    assert rows(calendar) == [("kpi_admin", "添加日历日", "公司日历")]
    assert ">2027-01-04<" in calendar
    assert rows(client.get("/audit", params={"from": "2027-01-01"}).text) == []
    assert "没有符合筛选条件的记录。" in client.get("/audit", params={"actor": "nobody"}).text


def test_the_trail_names_a_person_by_their_name_with_their_login_beside_it(
        client: TestClient, svc: Services, world: None) -> None:
    add_user(svc, actor=SYSTEM, login="chen.admin", display_name="陈管理", is_admin=True)
    add_calendar_entry(svc, actor=actor_for(svc, login="chen.admin"), day=date(2027, 2, 1), kind="holiday", note="x")
    sign_in(client, svc, "auditor")
    page = client.get("/audit", params={"actor": "chen.admin"}).text
    assert '<td>陈管理 <span class="muted">chen.admin</span></td>' in page
    assert rows(client.get("/audit", params={"actor": "kpi_admin"}).text)[0][0] == "kpi_admin"  # no name: the login


def test_the_csv_download_carries_the_pages_filters(client: TestClient, svc: Services, world: None) -> None:
    sign_in(client, svc, "auditor_en")
    page = client.get("/audit", params={"entity_type": "calendar", "from": "2026-11-01", "to": "2026-11-30"}).text
    assert "Company calendar" in page and "Calendar day added" in page
    [href] = [html.unescape(h) for h in re.findall(r'data-export="csv" href="([^"]+)"', page)]
    assert href.startswith("/exports/audit?") and "entity_type=calendar" in href and "from=2026-11-01" in href
    response = client.get(href)
    assert response.status_code == 200, response.text
    header, *lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:4] == ["Entry", "When", "Who", "Action"]
    assert [(line[2], line[3], line[5]) for line in lines] == [("kpi_admin", "calendar_entry_added", "2027-01-04")]
    outside = client.get("/exports/audit", params={"entity_type": "calendar", "to": "2026-11-01"})
    assert list(csv.reader(io.StringIO(outside.content.decode("utf-8-sig"))))[1:] == []


def test_older_entries_are_a_link_away(client: TestClient, svc: Services, world: None) -> None:
    for n in range(55):
        cf.channel(svc, code=f"P-{n}")
    sign_in(client, svc, "auditor")
    first = client.get("/audit").text
    assert len(rows(first)) == 50
    [older] = [html.unescape(h) for h in re.findall(r'<a href="(/audit\?[^"]*cursor=[^"]+)">更早的记录</a>', first)]
    second = client.get(older).text
    assert len(rows(second)) > 0
    assert "最新记录" in second


def test_a_channel_manager_has_no_audit_page_and_no_menu_entry(client: TestClient, svc: Services,
                                                                world: None) -> None:
    sign_in(client, svc, "manager")
    assert 'href="/audit"' not in client.get("/inbox").text
    refused = client.get("/audit")
    assert refused.status_code == 403
    assert "您没有权限执行此操作。" in refused.text
