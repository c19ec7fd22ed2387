"""The pages' CSV / Excel buttons: present with links that carry the page's filters, in zh and en,
and the downloads behind them answer for the signed-in user in their language."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.support import channel_factories as cf
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import start_instance
from workflows.services.users import actor_for, add_user

LINK = re.compile(r'<a class="button" data-export="(csv|xlsx)" href="([^"]+)" download>([^<]+)</a>')


def buttons(page: str) -> list[tuple[str, str, str]]:
    return [(kind, html.unescape(href), text) for kind, href, text in LINK.findall(page)]


@pytest.fixture
def people(svc: Services) -> None:
    add_user(svc, actor=SYSTEM, login="zh_user", roles=["viewer"])
    add_user(svc, actor=SYSTEM, login="en_user", roles=["viewer"], locale="en")
    add_user(svc, actor=SYSTEM, login="reviewer", groups=["finance"])
    add_user(svc, actor=SYSTEM, login="manager", roles=["channel_manager"])


def complaint(svc: Services) -> int:
    return start_instance(svc, actor=actor_for(svc, login="manager"), workflow="complaint",
                          data={"severity": "low"}).id


def test_the_channel_list_offers_csv_and_excel_with_its_filters_in_chinese(
    client: TestClient, svc: Services, people: None
) -> None:
    sign_in(client, svc, "zh_user")
    page = client.get("/channels", params={"region": "east", "card": "yellow"}).text
    assert buttons(page) == [
        ("csv", "/exports/channels?type=&region=east&stage=&card=yellow&q=&stars=&format=csv", "下载 CSV"),
        ("xlsx", "/exports/channels?type=&region=east&stage=&card=yellow&q=&stars=&format=xlsx", "下载 Excel")]


def test_the_instance_list_offers_the_buttons_in_english_for_an_english_user(
    client: TestClient, svc: Services, people: None
) -> None:
    sign_in(client, svc, "en_user")
    page = client.get("/instances", params={"workflow": "complaint"}).text
    assert buttons(page) == [
        ("csv", "/exports/instances?workflow=complaint&state=&status=&q=&format=csv", "Download CSV"),
        ("xlsx", "/exports/instances?workflow=complaint&state=&status=&q=&format=xlsx", "Download Excel")]


def test_the_channel_page_offers_its_kpi_rows_and_card_history(client: TestClient, svc: Services,
                                                               people: None) -> None:
    channel = cf.channel(svc, code="E-1")
    sign_in(client, svc, "zh_user")
    links = [href for kind, href, _ in buttons(client.get(f"/channels/{channel.id}").text) if kind == "csv"]
    assert links == [f"/exports/kpis?channel_id={channel.id}&format=csv",
                     f"/exports/cards?channel_id={channel.id}&format=csv"]


def test_the_instance_page_offers_its_history_and_the_dashboard_the_sla_report(
    client: TestClient, svc: Services, people: None
) -> None:
    instance = complaint(svc)
    sign_in(client, svc, "zh_user")
    history = [h for k, h, _ in buttons(client.get(f"/instances/{instance}").text) if k == "csv"]
    assert history == [f"/exports/audit?instance_id={instance}&format=csv"]
    sla = [h for k, h, _ in buttons(client.get("/dashboard").text) if k == "xlsx"]
    assert sla == ["/exports/reports/sla?workflow=complaint&from=2026-11-01T00%3A00%3A00%2B08%3A00"
                   "&to=2026-11-23T01%3A00%3A00%2B00%3A00&format=xlsx"]


def test_the_channel_button_downloads_the_filtered_csv_with_chinese_headers(
    client: TestClient, svc: Services, people: None
) -> None:
    cf.channel(svc, code="E-1", region="east")
    cf.channel(svc, code="W-1", region="west")
    sign_in(client, svc, "zh_user")
    response = client.get("/exports/channels?type=&region=east&stage=&card=&q=&stars=&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编码", "名称"]
    assert [r[0] for r in rows[1:]] == ["E-1"]


def test_the_sla_button_from_the_dashboard_downloads_a_workbook(client: TestClient, svc: Services,
                                                                people: None) -> None:
    complaint(svc)
    sign_in(client, svc, "en_user")
    href = next(h for k, h, _ in buttons(client.get("/dashboard").text) if k == "xlsx")
    sheet = load_workbook(io.BytesIO(client.get(href).content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "SLA attainment"
    assert rows[0][:3] == ("Workflow", "SLA goal", "Met")
    assert [r[1] for r in rows[1:]] == ["first_response", "resolution"]


def test_a_reviewer_following_an_audit_link_without_an_instance_gets_a_refusal_page(
    client: TestClient, svc: Services, people: None
) -> None:
    sign_in(client, svc, "reviewer")
    response = client.get("/exports/audit?format=csv")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "您没有权限执行此操作。" in response.text
    assert "auditors" in response.text


def test_a_signed_out_visitor_is_sent_to_log_in(client: TestClient) -> None:
    response = client.get("/exports/channels?format=csv", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
