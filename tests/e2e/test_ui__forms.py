"""The create/edit forms: a channel, a meeting, a company calendar day; what the user sees after
saving, the problems shown at their fields in zh and en, and who may not."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from channels import registry
from channels.meetings import series
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services import calendar_entries
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user


def _people(svc: Services) -> None:
    for login, groups, roles, admin, locale in (
            ("boss", [], [], True, "en"), ("wang.admin", [], [], True, "zh"),
            ("liu.manager", [], ["channel_manager"], False, "en"), ("he.manager", [], ["channel_manager"], False, "en"),
            ("chen.committee", ["committee"], [], False, "zh"), ("zhao.finance", ["finance"], [], False, "en")):
        add_user(svc, actor=SYSTEM, login=login, groups=groups, roles=roles, is_admin=admin, locale=locale)


def _error_at(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="err-{field}">(.*?)</p>', html)
    assert found, f"no error shown at {field}"
    return found.group(1)


def _row(html: str, code: str) -> str:
    found = re.search(rf"<tr><td><a href=\"/channels/\d+\">{re.escape(code)}</a>.*?</tr>", html, re.S)
    assert found, f"{code} is not listed"
    return found.group(0)


def test_an_admin_registers_a_channel_and_sees_it_listed_with_its_titles(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "boss")
    form = client.get("/channels/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text and ">East</option>" in form.text
    manager = actor_for(svc, login="liu.manager").id
    saved = client.post("/channels/new", data={
        "csrf_token": token, "code": "C-031", "name": "杭州直营店3号", "type": "direct_store", "region": "east",
        "manager_id": str(manager), "monthly_target": "1,200,000", "contacts": "phone: 0571-8888\nmail: a@b.cn"})
    assert saved.status_code == 200 and "杭州直营店3号" in saved.text and "C-031" in saved.text
    row = _row(client.get("/channels").text, "C-031")
    assert "杭州直营店3号" in row and "Direct store" in row and "Pending onboarding" in row
    channel = registry.list_channels(svc, q="C-031").items[0]
    assert (channel.manager_id, channel.monthly_target) == (manager, 1_200_000)
    assert channel.contacts == {"phone": "0571-8888", "mail": "a@b.cn"}


def test_a_channel_manager_registers_a_channel_they_then_manage(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "liu.manager")
    form = client.get("/channels/new").text
    assert 'name="manager_id"' not in form and "You will be the channel" in form
    client.post("/channels/new", data={"csrf_token": token, "code": "C-040", "name": "南京代理",
                                       "type": "agent", "region": "south"})
    channel = registry.list_channels(svc, q="C-040").items[0]
    assert channel.manager_id == actor_for(svc, login="liu.manager").id
    assert "Agent / distributor" in _row(client.get("/channels").text, "C-040")


def test_a_refused_channel_shows_each_problem_at_its_field_in_english(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "boss")
    registry.create_channel(svc, actor=actor_for(svc, login="boss"),
                            values={"code": "C-001", "name": "x", "type": "agent", "region": "east"})
    bad = client.post("/channels/new", data={"csrf_token": token, "code": "坏 code", "name": " ", "type": "shop",
                                             "region": "East", "monthly_target": "-5", "contacts": "no colon"})
    assert bad.status_code == 422
    assert "Please correct the input." in bad.text
    assert _error_at(bad.text, "code").startswith("1 to 50 letters, digits")
    assert _error_at(bad.text, "type") == "Choose one of the options."
    assert _error_at(bad.text, "region").startswith("A region code")
    assert _error_at(bad.text, "monthly_target") == "Enter a number greater than 0."
    assert _error_at(bad.text, "contacts") == "One contact per line: name: value."
    assert 'value="坏 code"' in bad.text  # what was typed stays
    taken = client.post("/channels/new", data={"csrf_token": token, "code": "C-001", "name": "again",
                                               "type": "agent", "region": "east"})
    assert taken.status_code == 422 and _error_at(taken.text, "code") == "A channel with this code exists already."
    empty = client.post("/channels/new", data={"csrf_token": token, "code": "C-002", "name": " ",
                                               "type": "agent", "region": "east"})
    assert _error_at(empty.text, "name") == "This field is required."
    assert registry.list_channels(svc).total == 1


def test_the_problems_are_in_chinese_for_a_chinese_user(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "wang.admin")
    bad = client.post("/channels/new", data={"csrf_token": token, "code": "-x", "name": "", "type": "agent",
                                             "region": "", "monthly_target": "abc"})
    assert bad.status_code == 422 and "请修正输入。" in bad.text
    assert _error_at(bad.text, "code").startswith("1 到 50 个字母")
    assert _error_at(bad.text, "name") == "此项必填。"
    assert _error_at(bad.text, "region") == "此项必填。"
    assert _error_at(bad.text, "monthly_target") == "请输入数字。"
    shown = re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', bad.text)
    assert len(shown) == 4 and not [text for text in shown if re.search("[A-Za-z]{3,}", text)]


def test_a_channel_is_changed_through_its_form_and_the_page_shows_the_new_values(
        svc: Services, client: TestClient) -> None:
    _people(svc)
    manager = actor_for(svc, login="liu.manager")
    channel = registry.create_channel(svc, actor=manager, values={"code": "C-050", "name": "旧名", "type": "agent",
                                                                   "region": "east"})
    token = sign_in(client, svc, "liu.manager")
    assert f'href="/channels/{channel.id}/edit"' in client.get(f"/channels/{channel.id}").text
    form = client.get(f"/channels/{channel.id}/edit").text
    assert 'value="旧名"' in form
    saved = client.post(f"/channels/{channel.id}/edit", data={
        "csrf_token": token, "name": "新名", "type": "ecommerce", "region": "north", "monthly_target": "500000",
        "contacts": "微信：xin-ming"})
    assert saved.status_code == 200 and "<h1>新名" in saved.text and "E-commerce" in saved.text
    changed = registry.list_channels(svc, q="C-050").items[0]
    assert (changed.region, changed.monthly_target, changed.contacts) == ("north", 500_000, {"微信": "xin-ming"})
    assert changed.manager_id == manager.id  # a manager's form has no manager field: it stays
    bad = client.post(f"/channels/{channel.id}/edit", data={"csrf_token": token, "name": "", "type": "agent",
                                                           "region": "north"})
    assert bad.status_code == 422 and _error_at(bad.text, "name") == "This field is required."


def test_who_may_not_register_or_change_a_channel_gets_403(svc: Services, client: TestClient) -> None:
    _people(svc)
    channel = registry.create_channel(svc, actor=actor_for(svc, login="liu.manager"),
                                      values={"code": "C-060", "name": "x", "type": "agent", "region": "east"})
    token = sign_in(client, svc, "zhao.finance")
    assert "/channels/new" not in client.get("/channels").text
    assert client.get("/channels/new").status_code == 403
    refused = client.post("/channels/new", data={"csrf_token": token, "code": "C-061", "name": "y",
                                                 "type": "agent", "region": "east"})
    assert refused.status_code == 403 and "You may not do this." in refused.text
    assert client.get(f"/channels/{channel.id}/edit").status_code == 403
    other = sign_in(client, svc, "he.manager")  # a manager, but not this channel's
    assert f"/channels/{channel.id}/edit" not in client.get(f"/channels/{channel.id}").text
    changed = client.post(f"/channels/{channel.id}/edit", data={"csrf_token": other, "name": "z", "type": "agent",
                                                               "region": "east"})
    assert changed.status_code == 403
    no_token = client.post("/channels/new", data={"code": "C-062", "name": "y", "type": "agent", "region": "east"})
    assert no_token.status_code == 403
    assert registry.list_channels(svc).total == 1 and registry.list_channels(svc).items[0].name == "x"


def test_the_committee_sets_up_a_monthly_series_and_sees_it_listed(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "chen.committee")
    form = client.get("/meetings/new").text
    assert "每月第 n 个星期几" in form and "渠道管理委员会" in form
    finance = actor_for(svc, login="zhao.finance").id
    saved = client.post("/meetings/new", data={
        "csrf_token": token, "kind": "joint", "title_zh": "月度联席会", "title_en": "Monthly joint meeting",
        "repeat": "monthly_nth", "nth": "1", "weekday": "TU", "interval": "2", "start_date": "2026-12-01",
        "start_time": "10:00", "timezone": "Asia/Shanghai", "duration_minutes": "120", "location": "总部 3 楼",
        "video_url": "https://meet.example.com/abc", "attendee_users": [str(finance)],
        "attendee_groups": ["committee", "sales"], "prepare_days": "2"})
    assert saved.status_code == 200 and "<h1>月度联席会</h1>" in saved.text and "总部 3 楼" in saved.text
    listed = client.get("/meetings").text
    assert "月度联席会" in listed and "120" in listed
    meeting = next(m for m in series.list_meetings(svc, actor=SYSTEM) if m.title_zh == "月度联席会")
    assert meeting.rrule == "FREQ=MONTHLY;BYDAY=1TU" and meeting.timezone == "Asia/Shanghai"
    assert meeting.attendee_users == [finance] and meeting.attendee_groups == ["committee", "sales"]
    assert meeting.video_url == "https://meet.example.com/abc"
    assert meeting.starts_at.isoformat().startswith("2026-12-01T02:00")  # 10:00 in Shanghai
    assert [o.starts_at.astimezone().date().isoformat() for o in meeting.upcoming[:2]] == ["2026-12-01", "2027-01-05"]


def test_a_refused_meeting_shows_the_problems_at_their_fields(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "chen.committee")  # zh
    base = {"csrf_token": token, "kind": "joint", "repeat": "quarterly", "nth": "1", "weekday": "TU",
            "interval": "2", "start_date": "2026-12-01", "start_time": "10:00", "timezone": "Asia/Shanghai",
            "duration_minutes": "2", "video_url": "ftp://x", "prepare_days": "2"}
    bad = client.post("/meetings/new", data=base)
    assert bad.status_code == 422
    assert _error_at(bad.text, "duration_minutes") == "请输入不小于 5 的数。"
    assert _error_at(bad.text, "video_url") == "请输入以 http:// 或 https:// 开头的网址。"
    nobody = client.post("/meetings/new", data={**base, "duration_minutes": "60", "video_url": ""})
    assert _error_at(nobody.text, "attendee_users") == "会议需要参会人：人员、部门或两者。"
    no_day = client.post("/meetings/new", data={**base, "start_date": "", "attendee_groups": ["sales"]})
    assert _error_at(no_day.text, "start_date") == "请输入日期（年-月-日）。"
    too_early = client.post("/meetings/new", data={**base, "start_date": "1999-12-07", "duration_minutes": "60",
                                                   "video_url": "", "attendee_groups": ["sales"]})
    assert _error_at(too_early.text, "start_date") == "日期须在 2000 年到 2200 年之间。"
    english_token = sign_in(client, svc, "boss")  # en
    english = client.post("/meetings/new", data={**base, "csrf_token": english_token, "duration_minutes": "60",
                                                 "video_url": "", "attendee_groups": ["nonsense"]})
    assert _error_at(english.text, "attendee_groups") == "Unknown group: nonsense."
    assert series.list_meetings(svc, actor=SYSTEM) == []


def test_a_meeting_is_changed_through_its_form(svc: Services, client: TestClient) -> None:
    _people(svc)
    committee = actor_for(svc, login="chen.committee")
    meeting = series.create_meeting(svc, actor=committee, kind="kpi_review", rrule="FREQ=WEEKLY;BYDAY=MO",
                                    starts_at=datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
                                    attendee_groups=["committee"], location="A")
    token = sign_in(client, svc, "boss")
    assert f'href="/meetings/{meeting.id}/edit"' in client.get(f"/meetings/{meeting.id}").text
    form = client.get(f"/meetings/{meeting.id}/edit").text
    assert 'value="A"' in form and "set up a new meeting to change them" in form
    saved = client.post(f"/meetings/{meeting.id}/edit", data={
        "csrf_token": token, "title_zh": "周例会", "title_en": "Weekly review", "duration_minutes": "45",
        "location": "5 楼", "video_url": "", "attendee_groups": ["committee", "finance"], "prepare_days": "1"})
    assert saved.status_code == 200 and "Weekly review" in saved.text and "5 楼" in saved.text
    changed = series.get_meeting(svc, actor=SYSTEM, meeting_id=meeting.id)
    assert (changed.duration_minutes, changed.attendee_groups, changed.rrule) == (
        45, ["committee", "finance"], "FREQ=WEEKLY;BYDAY=MO")
    bad = client.post(f"/meetings/{meeting.id}/edit", data={"csrf_token": token, "title_zh": "", "title_en": "x",
                                                           "duration_minutes": "45", "prepare_days": "1",
                                                           "attendee_groups": ["committee"]})
    assert bad.status_code == 422 and _error_at(bad.text, "title_zh") == "This field is required."


def test_who_may_not_organise_meetings_gets_403(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "zhao.finance")
    assert "/meetings/new" not in client.get("/meetings").text
    assert client.get("/meetings/new").status_code == 403
    refused = client.post("/meetings/new", data={"csrf_token": token, "kind": "joint"})
    assert refused.status_code == 403 and "You may not do this." in refused.text
    assert client.post("/meetings/1/edit", data={"csrf_token": token}).status_code == 403


def test_an_admin_adds_and_removes_company_days_and_others_only_read(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "boss")
    added = client.post("/calendar", data={"csrf_token": token, "day": "2026-12-31", "kind": "holiday",
                                           "note": "公司年会"})
    assert added.status_code == 200
    row = re.search(r'<tr id="day-2026-12-31">.*?</tr>', added.text, re.S)
    assert row and "Day off" in row.group(0) and "公司年会" in row.group(0) and "boss" in row.group(0)
    client.post("/calendar", data={"csrf_token": token, "day": "2026-12-27", "kind": "workday"})
    assert svc.calendar.is_working_day(date(2026, 12, 27)) and not svc.calendar.is_working_day(date(2026, 12, 31))
    again = client.post("/calendar", data={"csrf_token": token, "day": "2026-12-31", "kind": "workday"})
    assert again.status_code == 422
    assert _error_at(again.text, "day") == "This day has an entry already: remove it first."
    bad = client.post("/calendar", data={"csrf_token": token, "day": "31.12.2026", "kind": "party", "note": "x" * 201})
    assert _error_at(bad.text, "day") == "Enter a date (YYYY-MM-DD)."
    assert _error_at(bad.text, "kind") == "Choose one of the options."
    assert _error_at(bad.text, "note") == "At most 200 characters."

    reader = sign_in(client, svc, "chen.committee")  # zh, not an admin
    page = client.get("/calendar?year=2026").text
    assert "公司年会" in page and "调休上班日" in page and 'action="/calendar"' not in page and "删除" not in page
    assert client.post("/calendar", data={"csrf_token": reader, "day": "2026-12-30", "kind": "holiday"}
                       ).status_code == 403
    assert client.post("/calendar/2026-12-31/remove", data={"csrf_token": reader}).status_code == 403

    token = sign_in(client, svc, "boss")
    removed = client.post("/calendar/2026-12-31/remove", data={"csrf_token": token})
    assert "The entry of 2026-12-31 was removed." in removed.text and 'id="day-2026-12-31"' not in removed.text
    assert [e.day for e in calendar_entries.list_calendar_entries(svc, year=2026)] == [date(2026, 12, 27)]


def test_values_outside_the_choices_are_problems_at_their_fields_not_500s(svc: Services, client: TestClient) -> None:
    _people(svc)
    token = sign_in(client, svc, "boss")
    channel = {"csrf_token": token, "code": "C-070", "name": "x", "type": "agent", "region": "east"}
    huge = client.post("/channels/new", data={**channel, "monthly_target": "1e13", "manager_id": "999999"})
    assert huge.status_code == 422
    assert _error_at(huge.text, "monthly_target") == "Enter a number less than 1,000,000,000,000."
    assert _error_at(client.post("/channels/new", data={**channel, "monthly_target": "nan"}).text,
                     "monthly_target") == "Enter a number."
    nobody = client.post("/channels/new", data={**channel, "manager_id": "999999"})
    assert _error_at(nobody.text, "manager_id") == "No active user with id 999999."
    meeting = {"csrf_token": token, "kind": "party", "repeat": "hourly", "nth": "9", "weekday": "XX",
               "start_date": "2026-12-01", "start_time": "25:00", "timezone": "Mars/Olympus",
               "duration_minutes": "60", "attendee_users": ["abc"], "prepare_days": "99"}
    bad = client.post("/meetings/new", data=meeting)
    assert bad.status_code == 422
    assert _error_at(bad.text, "repeat") == "Choose one of the options."
    assert _error_at(bad.text, "timezone") == "Unknown time zone."
    assert _error_at(bad.text, "kind") == "Choose one of the options."
    assert _error_at(bad.text, "attendee_users") == "Enter a whole number."
    assert _error_at(bad.text, "prepare_days") == "Enter a number of at most 30."
    assert registry.list_channels(svc).total == 0 and series.list_meetings(svc, actor=SYSTEM) == []
