"""Hostile input through the web UI: the editor's check refuses an alias bomb at its line, and a body over
its limit gets an error page in the user's language, before it is read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.test_api__hostile_input import ALIAS_BOMB
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services import definitions
from workflows.services.context import Services
from workflows.services.users import add_user


def admin(svc: Services, client: TestClient, *, locale: str) -> str:
    add_user(svc, actor=SYSTEM, login="admin.wu", is_admin=True, locale=locale)
    return sign_in(client, svc, "admin.wu")


def test_the_editors_check_refuses_an_alias_bomb_at_its_line(svc: Services, client: TestClient) -> None:
    token = admin(svc, client, locale="en")
    response = client.post("/admin/workflows/check", data={"source": ALIAS_BOMB}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert 'data-error-lines="2"' in response.text
    assert "not accepted: anchors (&amp;a) are not allowed" in response.text


def test_publishing_an_alias_bomb_in_the_editor_publishes_nothing(svc: Services, client: TestClient) -> None:
    token = admin(svc, client, locale="en")
    response = client.post("/admin/workflows/publish", data={"source": ALIAS_BOMB, "csrf_token": token})
    assert response.status_code == 422
    assert "not accepted: anchors (&amp;a) are not allowed" in response.text
    assert "bomb" not in [d.name for d in definitions.list_definitions(svc)]


def test_a_form_over_its_limit_gets_a_413_page_in_chinese(svc: Services, client: TestClient) -> None:
    token = admin(svc, client, locale="zh")
    response = client.post("/admin/workflows/check", data={"source": "a: b\n" * 200_000, "csrf_token": token})
    assert response.status_code == 413
    assert "提交的内容过大。" in response.text and "此处最多可提交 784 KB。" in response.text


def test_a_kpi_file_over_its_limit_gets_a_413_page_in_english(svc: Services, client: TestClient) -> None:
    token = admin(svc, client, locale="en")
    response = client.post("/channels/kpis/import", data={"csrf_token": token},
                           files={"file": ("kpi.csv", b"x" * (21 * 1024 * 1024))})
    assert response.status_code == 413
    assert "What you sent is too large." in response.text and "At most 20 MB can be sent here." in response.text


def test_a_definition_over_the_yaml_limit_is_shown_as_a_problem_at_line_one(svc: Services, client: TestClient) -> None:
    token = admin(svc, client, locale="en")
    text = "name: big\n" + "# filler\n" * 30_000
    response = client.post("/admin/workflows/check", data={"source": text}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert 'data-error-lines="1"' in response.text
    assert "270010 bytes: at most 262144 are allowed" in response.text
