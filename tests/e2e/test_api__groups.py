"""Groups defined by admins through the API: the shipped ones are there, a region group is created
with its titles, titles change, a definition naming a group that does not exist fails at its line."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.fixtures import LoginFactory
from workflows.persistence import tables as t
from workflows.services.context import Services

PROPOSAL = """name: legal_review
title: {zh: 法务审核, en: Legal review}
start: [admin]
states:
  - name: open
    initial: true
    tasks:
      - {name: check, title: {zh: 审核, en: Check}, groups: [legal]}
  - {name: done, final: true}
transitions:
  - {trigger: finish, source: open, dest: done, allowed: [group:legal]}
"""


def test_the_shipped_groups_are_there_with_their_titles(client: TestClient, login_as: LoginFactory) -> None:
    answer = client.get("/api/v1/groups", headers=login_as())
    assert answer.status_code == 200
    assert [(g["code"], g["title_zh"], g["title_en"]) for g in answer.json()] == [
        ("committee", "渠道管理委员会", "Channel committee"), ("finance", "财务部", "Finance"),
        ("it", "信息技术部", "IT"), ("market", "市场部", "Market"), ("sales", "销售部", "Sales")]


def test_an_admin_creates_a_region_group_and_a_user_joins_it(svc: Services, client: TestClient,
                                                            login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    created = client.post("/api/v1/groups", headers=admin,
                          json={"code": "region:east", "title_zh": "东区", "title_en": "East"})
    assert created.status_code == 201, created.text
    assert (created.json()["region"], created.json()["active"]) == (True, True)
    again = client.post("/api/v1/groups", headers=admin,
                        json={"code": "region:east", "title_zh": "东区", "title_en": "East"})
    assert again.status_code == 409
    user = client.post("/api/v1/users", headers=admin,
                       json={"login": "zhou", "password": "long enough", "groups": ["region:east"]})
    assert user.status_code == 201 and user.json()["roles"] == ["reviewer"]
    east = client.get("/api/v1/groups/region:east", headers=admin).json()
    assert (east["title_zh"], east["members"]) == ("东区", 1)
    assert [g["code"] for g in client.get("/api/v1/groups?region=true", headers=admin).json()] == ["region:east"]
    with svc.uow(write=False) as uow:
        row = uow.conn.execute(select(t.audit_events).where(t.audit_events.c.entity_type == "group")).mappings().one()
    assert (row["entity_id"], row["action"], row["data"]["title_zh"]) == ("region:east", "created", "东区")


def test_a_bad_group_code_or_title_is_refused(client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    for body in ({"code": "Legal Dept", "title_zh": "法务", "title_en": "Legal"},
                 {"code": "region:", "title_zh": "区", "title_en": "Region"},
                 {"code": "legal", "title_zh": "", "title_en": "Legal"}):
        assert client.post("/api/v1/groups", headers=admin, json=body).status_code == 422, body
    assert client.get("/api/v1/groups/nobody", headers=admin).status_code == 404


def test_an_admin_renames_and_deactivates_a_group_and_nobody_new_may_join_it(
        svc: Services, client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    changed = client.patch("/api/v1/groups/it", headers=admin, json={"title_zh": "数字化部", "title_en": "Digital"})
    assert (changed.status_code, changed.json()["title_zh"]) == (200, "数字化部")
    off = client.patch("/api/v1/groups/it", headers=admin, json={"active": False})
    assert off.json()["active"] is False
    assert [g["code"] for g in client.get("/api/v1/groups?active=false", headers=admin).json()] == ["it"]
    joined = client.post("/api/v1/users", headers=admin, json={"login": "sun", "password": "long enough",
                                                               "groups": ["it"]})
    assert joined.status_code == 422 and "group 'it' is deactivated" in joined.text
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events.c.data).where(t.audit_events.c.entity_type == "group")
                                .order_by(t.audit_events.c.id)).scalars().all()
    assert rows == [{"title_zh": ["信息技术部", "数字化部"], "title_en": ["IT", "Digital"]},
                    {"active": [True, False]}]


def test_a_member_of_a_deactivated_group_stays_in_it_when_other_fields_change(
        svc: Services, client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    user = client.post("/api/v1/users", headers=admin, json={"login": "sun", "password": "long enough",
                                                             "groups": ["it"]}).json()
    client.patch("/api/v1/groups/it", headers=admin, json={"active": False})
    kept = client.patch(f"/api/v1/users/{user['id']}", headers=admin, json={"groups": ["it", "sales"]})
    assert (kept.status_code, kept.json()["groups"]) == (200, ["it", "sales"])


def test_a_definition_naming_a_group_that_does_not_exist_fails_at_its_line_until_an_admin_creates_it(
        client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    yaml = {"content": PROPOSAL.encode(), "headers": {**admin, "Content-Type": "application/yaml"}}
    report = client.post("/api/v1/workflows/validate", **yaml).json()  # type: ignore[arg-type]
    assert report["valid"] is False
    assert {(e["path"], e["line"], e["message"]) for e in report["errors"]} == {
        ("states[0].tasks[0].groups[0]", 8, "unknown group 'legal'"),
        ("transitions[0].allowed[0]", 11, "unknown group 'legal'")}
    assert client.post("/api/v1/workflows", **yaml).status_code == 422  # type: ignore[arg-type]
    client.post("/api/v1/groups", headers=admin, json={"code": "legal", "title_zh": "法务部", "title_en": "Legal"})
    assert client.post("/api/v1/workflows/validate", **yaml).json()["valid"] is True  # type: ignore[arg-type]
    assert client.post("/api/v1/workflows", **yaml).status_code == 201  # type: ignore[arg-type]


def test_a_region_group_is_not_known_until_an_admin_creates_it(client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    text = PROPOSAL.replace("legal", "region:north").replace("name: region:north_review", "name: north_review")
    yaml = {"content": text.encode(), "headers": {**admin, "Content-Type": "application/yaml"}}
    report = client.post("/api/v1/workflows/validate", **yaml).json()  # type: ignore[arg-type]
    assert "unknown group 'region:north'" in {e["message"] for e in report["errors"]}


def test_a_meeting_may_invite_a_group_an_admin_created_and_no_group_that_does_not_exist(
        client: TestClient, login_as: LoginFactory) -> None:
    admin = login_as(admin=True)
    meeting = {"kind": "other", "starts_at": "2026-12-08T15:00:00+08:00", "attendee_groups": ["legal"]}
    refused = client.post("/api/v1/meetings", headers=admin, json=meeting)
    assert refused.status_code == 422 and "unknown group 'legal'" in refused.text
    client.post("/api/v1/groups", headers=admin, json={"code": "legal", "title_zh": "法务部", "title_en": "Legal"})
    assert client.post("/api/v1/meetings", headers=admin, json=meeting).status_code == 201
