"""The workflow editor over HTTP: problems with their lines, preview, diff, publish (admins only)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.browser.proposal import BROKEN, BROKEN_AT, PROPOSAL
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services import definitions
from workflows.services.context import Services
from workflows.services.users import add_user


def _admin(svc: Services, client: TestClient) -> str:
    add_user(svc, actor=SYSTEM, login="admin.wu", is_admin=True, locale="en")
    return sign_in(client, svc, "admin.wu")


def test_checking_lists_every_problem_with_its_line(svc: Services, client: TestClient) -> None:
    token = _admin(svc, client)
    response = client.post("/admin/workflows/check", data={"source": BROKEN}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert f'data-error-lines="27,29,{BROKEN_AT}"' in response.text
    assert f'data-line="{BROKEN_AT}"' in response.text and "unknown state &#39;fundd&#39;" in response.text
    assert "Not published yet" in response.text


def test_checking_a_valid_definition_previews_it_and_diffs_it_against_the_published_version(
        svc: Services, client: TestClient) -> None:
    token = _admin(svc, client)
    changed = definitions.shipped_source("complaint").replace("title: {zh: 投诉处理", "title: {zh: 客户投诉处理", 1)
    response = client.post("/admin/workflows/check", data={"source": changed}, headers={"X-CSRF-Token": token})
    assert 'id="valid"' in response.text and "stateDiagram-v2" in response.text
    assert "Changes against the published version 1" in response.text
    assert '<span class="add">+title: {zh: 客户投诉处理' in response.text


def test_publishing_an_invalid_definition_keeps_the_text_and_shows_the_problems(svc: Services,
                                                                                client: TestClient) -> None:
    token = _admin(svc, client)
    response = client.post("/admin/workflows/publish", data={"source": BROKEN, "csrf_token": token})
    assert response.status_code == 422
    assert "dest: fundd" in response.text and 'class="error">41<' in response.text
    assert [d.name for d in definitions.list_definitions(svc)].count("improvement_proposal") == 0


def test_publishing_a_valid_definition_makes_version_one(svc: Services, client: TestClient) -> None:
    token = _admin(svc, client)
    response = client.post("/admin/workflows/publish", data={"source": PROPOSAL, "csrf_token": token})
    assert response.url.path == "/workflows/improvement_proposal"
    assert "Published improvement_proposal version 1." in response.text
    assert definitions.get_definition(svc, name="improvement_proposal").version == 1


def test_a_reviewer_may_neither_check_nor_publish(svc: Services, client: TestClient) -> None:
    add_user(svc, actor=SYSTEM, login="li.market", groups=["market"], locale="en")
    token = sign_in(client, svc, "li.market")
    for path in ("/admin/workflows/check", "/admin/workflows/publish"):
        response = client.post(path, data={"source": PROPOSAL, "csrf_token": token})
        assert response.status_code == 403, path
    assert "improvement_proposal" not in [d.name for d in definitions.list_definitions(svc)]
