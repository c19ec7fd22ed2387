"""Searching instances by text (`q=`): in the data (Chinese too) and in the subject's name or code,
on SQLite and PostgreSQL; wildcards are plain characters; the text is bounded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from channels.registry import create_channel
from tests.support.fixtures import LoginFactory
from workflows.domain.principals import SYSTEM
from workflows.services import instances
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user


def _world(svc: Services) -> dict[str, int]:
    add_user(svc, actor=SYSTEM, login="liu", roles=["channel_manager"])
    manager = actor_for(svc, login="liu")
    flagship = create_channel(svc, actor=manager, values={"code": "E-001", "name": "华东旗舰店", "type": "ecommerce",
                                                          "region": "east"})
    onboarding = instances.start_instance(
        svc, actor=manager, workflow="channel_onboarding", subject={"type": "channel", "id": str(flagship.id)},
        data={"channel_name": "华东旗舰店", "channel_type": "ecommerce", "region": "east"})
    late = instances.start_instance(svc, actor=manager, workflow="complaint",
                                    data={"severity": "high", "summary": "物流延误超过5天 Late DELIVERY"})
    percent = instances.start_instance(svc, actor=manager, workflow="complaint",
                                       data={"severity": "low", "summary": "refund 100% missing"})
    return {"onboarding": onboarding.id, "late": late.id, "percent": percent.id}


def _found(client: TestClient, headers: dict[str, str], q: str) -> list[int]:
    response = client.get("/api/v1/instances", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return sorted(item["id"] for item in body["items"])


def test_the_search_finds_chinese_and_english_text_in_the_data_and_the_subjects_name(
        svc: Services, client: TestClient, login_as: LoginFactory) -> None:
    ids = _world(svc)
    headers = login_as(roles=("viewer",))
    assert _found(client, headers, "物流延误") == [ids["late"]]
    assert _found(client, headers, "late delivery") == [ids["late"]]  # any case
    assert _found(client, headers, "旗舰") == [ids["onboarding"]]  # the subject's name (and the data)
    assert _found(client, headers, "e-001") == [ids["onboarding"]]  # the subject's code
    assert _found(client, headers, "100%") == [ids["percent"]]  # % is a character, not a wildcard
    assert _found(client, headers, "1_0%") == []  # nor is _
    assert _found(client, headers, "无此内容") == []


def test_the_search_text_is_bounded_and_the_ui_list_searches_the_same_way(
        svc: Services, client: TestClient, login_as: LoginFactory) -> None:
    ids = _world(svc)
    headers = login_as(roles=("viewer",))
    response = client.get("/api/v1/instances", params={"q": "x" * 101}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    from tests.support.ui import sign_in

    sign_in(client, svc, "liu")
    page = client.get("/instances", params={"q": "旗舰"}).text
    assert f'href="/instances/{ids["onboarding"]}"' in page and f'href="/instances/{ids["late"]}"' not in page
    assert "渠道 华东旗舰店" in page
