"""The users and groups pages for admins and everyone's profile: titles, not codes, in zh and en."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.passwords import CountingHasher
from tests.support.ui import csrf_of, sign_in
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.groups import add_group
from workflows.services.passwords import Passwords
from workflows.services.users import actor_for, add_user

PASSWORD = "right password"


@pytest.fixture
def people(svc: Services) -> Services:
    svc.passwords = Passwords(hasher=CountingHasher())
    add_group(svc, actor=SYSTEM, code="region:east", title_zh="东区", title_en="East")
    add_user(svc, actor=SYSTEM, login="boss", is_admin=True, password=PASSWORD)
    add_user(svc, actor=SYSTEM, login="li", display_name="李财务", groups=["finance"], password=PASSWORD)
    add_user(svc, actor=SYSTEM, login="zhou", display_name="周华东", groups=["region:east"], password=PASSWORD)
    return svc


def _rows(html: str, cls: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(rf'<tr class="{cls}">(.*?)</tr>', html, re.S)]


def test_the_users_page_lists_users_with_group_titles_and_filters_by_group(people: Services,
                                                                          client: TestClient) -> None:
    sign_in(client, people, "boss")
    rows = _rows(client.get("/admin/users").text, "user-row")
    assert rows == ["boss boss 系统管理员 — 中文 启用", "li 李财务 财务部 审核人 — 中文 启用",
                    "zhou 周华东 东区 审核人 — 中文 启用"]
    assert [r.split()[0] for r in _rows(client.get("/admin/users?group=region:east").text, "user-row")] == ["zhou"]
    assert "region:east" not in client.get("/admin/users").text.split("<table>")[1]


def test_an_admin_edits_a_user_in_the_form_and_deactivates_then_reactivates_them(people: Services,
                                                                                  client: TestClient) -> None:
    csrf = sign_in(client, people, "boss")
    li = actor_for(people, login="li")
    page = client.get(f"/admin/users/{li.id}")
    assert '<input type="checkbox" name="groups" value="finance" checked> 财务部' in page.text
    answer = client.post(f"/admin/users/{li.id}", data={
        "csrf_token": csrf, "display_name": "李 Li", "email": "li@example.com", "locale": "en",
        "groups": ["finance", "region:east"], "roles": ["viewer"]})
    assert answer.status_code == 200 and "已保存。" in answer.text
    with people.uow(write=False) as uow:
        row = uow.conn.execute(select(t.users).where(t.users.c.id == li.id)).mappings().one()
    assert (row["display_name"], row["email"], row["locale"], row["groups"], row["active"]) == (
        "李 Li", "li@example.com", "en", ["finance", "region:east"], False)
    assert "li 李 Li 财务部、东区" in _rows(client.get("/admin/users?active=no").text, "user-row")[0]
    client.post(f"/admin/users/{li.id}", data={"csrf_token": csrf, "display_name": "李 Li", "locale": "en",
                                              "groups": ["finance"], "roles": ["viewer"], "active": "on"})
    assert actor_for(people, login="li").groups == frozenset({"finance"})


def test_putting_a_user_in_a_group_that_does_not_exist_shows_the_problem(people: Services,
                                                                        client: TestClient) -> None:
    csrf = sign_in(client, people, "boss")
    li = actor_for(people, login="li")
    answer = client.post(f"/admin/users/{li.id}", data={"csrf_token": csrf, "display_name": "李", "locale": "zh",
                                                        "groups": ["legal"], "active": "on"})
    assert answer.status_code == 422
    assert "unknown group &#39;legal&#39;" in answer.text and "请修正输入" in answer.text


def test_an_admin_creates_and_renames_a_group_and_the_list_shows_titles(people: Services,
                                                                       client: TestClient) -> None:
    csrf = sign_in(client, people, "boss")
    created = client.post("/admin/groups", data={"csrf_token": csrf, "code": "region:southwest",
                                                 "title_zh": "西南区", "title_en": "Southwest"})
    assert created.status_code == 200
    rows = _rows(created.text, "group-row")
    assert "西南区 区域 西南区 Southwest region:southwest 0 启用" in rows
    assert "东区 区域 东区 East region:east 1 启用" in rows
    client.post("/admin/groups/region:southwest", data={"csrf_token": csrf, "title_zh": "西南大区",
                                                        "title_en": "South-west", "description": ""})
    assert not any("西南大区" in r for r in _rows(client.get("/admin/groups").text, "group-row"))
    assert any("西南大区" in r and "已停用" in r for r in _rows(client.get("/admin/groups?show=all").text,
                                                            "group-row"))


def test_the_groups_page_in_english_shows_english_titles(people: Services, client: TestClient) -> None:
    csrf = sign_in(client, people, "boss")
    client.post("/language", data={"csrf_token": csrf, "locale": "en", "next": "/admin/groups"})
    rows = _rows(client.get("/admin/groups").text, "group-row")
    assert rows[0].startswith("Channel committee 渠道管理委员会 Channel committee committee")
    assert any(r.startswith("East Region 东区 East region:east 1 Enabled") for r in rows)


def test_a_reviewer_sees_their_task_addressed_to_the_groups_title(people: Services, client: TestClient) -> None:
    from workflows.services.instances import fire_trigger, start_instance

    add_user(people, actor=SYSTEM, login="asker", roles=["channel_manager"])
    asker = actor_for(people, login="asker")
    onboarding = start_instance(people, actor=asker, workflow="channel_onboarding",
                                data={"channel_name": "x", "channel_type": "agent", "region": "east"})
    fire_trigger(people, actor=asker, instance_id=onboarding.id, trigger="submit")
    sign_in(client, people, "li")
    inbox = client.get("/inbox").text
    assert "财务部" in inbox and "group finance" not in inbox and "组 finance" not in inbox


def test_a_user_changes_name_language_and_password_on_the_profile_page(people: Services,
                                                                       client: TestClient) -> None:
    csrf = sign_in(client, people, "zhou")
    page = client.get("/profile")
    assert "东区" in page.text and 'id="notification-preferences"' in page.text
    saved = client.post("/profile", data={"csrf_token": csrf, "display_name": "周 Zhou", "locale": "en"})
    assert "Saved." in saved.text and actor_for(people, login="zhou").locale == "en"
    csrf = csrf_of(saved)
    wrong = client.post("/profile/password", data={"csrf_token": csrf, "old_password": "nope",
                                                   "new_password": "a new password", "again": "a new password"})
    assert wrong.status_code == 422 and "is not your current password" in wrong.text
    differ = client.post("/profile/password", data={"csrf_token": csrf, "old_password": PASSWORD,
                                                    "new_password": "a new password", "again": "another one"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    changed = client.post("/profile/password", data={"csrf_token": csrf, "old_password": PASSWORD,
                                                     "new_password": "a new password", "again": "a new password"})
    assert changed.status_code == 200 and "Your password was changed" in changed.text
    assert client.get("/profile").status_code == 200  # this browser got a new session


def test_a_non_admin_cannot_open_the_users_page_or_change_a_user_through_the_form(people: Services,
                                                                                   client: TestClient) -> None:
    csrf = sign_in(client, people, "li")
    li = actor_for(people, login="li")
    assert client.get("/admin/users").status_code == 403
    answer = client.post(f"/admin/users/{li.id}", data={"csrf_token": csrf, "display_name": "李", "locale": "zh",
                                                        "groups": ["finance", "committee"], "roles": ["admin"],
                                                        "active": "on"})
    assert answer.status_code == 403
    assert actor_for(people, login="li").roles == frozenset({"reviewer"})
