"""The migration page over HTTP: offered after publishing, dry run in zh with titles, confirm, history."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.migration import Seeded, seed
from tests.support.ui import sign_in
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user


@pytest.fixture
def seeded(svc: Services) -> Seeded:
    add_user(svc, actor=SYSTEM, login="admin.wu", is_admin=True, locale="zh")
    return seed(svc, actor_for(svc, login="admin.wu"), reviewing=1, parked=1, no_region=1)


def test_the_workflow_page_and_the_editor_offer_the_migration_to_an_admin_only(
        svc: Services, client: TestClient, seeded: Seeded) -> None:
    sign_in(client, svc, "admin.wu")
    page = client.get("/workflows/sop_review?published=2")
    assert "3 个实例仍在旧版本上运行。" in page.text
    assert 'href="/admin/workflows/sop_review/migrate?to=2"' in page.text
    assert "迁移旧版本上的 3 个实例" in client.get("/admin/workflows").text
    assert "仍在旧版本上运行" not in client.get("/workflows/sop_review?version=1").text
    add_user(svc, actor=SYSTEM, login="li.market", groups=["market"])
    sign_in(client, svc, "li.market")
    assert "仍在旧版本上运行" not in client.get("/workflows/sop_review").text
    assert client.get("/admin/workflows/sop_review/migrate").status_code == 403


def test_a_dry_run_shows_titles_and_blockers_then_the_confirmed_run_migrates(
        svc: Services, client: TestClient, seeded: Seeded) -> None:
    token = sign_in(client, svc, "admin.wu")
    page = client.get("/admin/workflows/sop_review/migrate")
    assert page.status_code == 200
    assert '<label for="map-parked">搁置</label>' in page.text
    dry = client.post("/admin/workflows/sop_review/migrate",
                      data={"csrf_token": token, "to_version": "2", "from_version": "", "action": "dry_run"})
    assert dry.status_code == 200
    assert "试运行：尚未做任何更改" in dry.text
    assert "3 个实例中 1 个可以迁移；2 个受阻。" in dry.text
    assert "新版本中没有状态 搁置：请为它指定对应状态" in dry.text
    assert "新版本要求填写 区域" in dry.text
    assert "部门审核 (信息技术部)" in dry.text  # the task created for IT, by titles
    mapped = client.post("/admin/workflows/sop_review/migrate",
                         data={"csrf_token": token, "to_version": "2", "map.parked": "on_hold", "action": "dry_run"})
    assert "3 个实例中 2 个可以迁移；1 个受阻。" in mapped.text
    assert '<input type="hidden" name="map.parked" value="on_hold">' in mapped.text
    done = client.post("/admin/workflows/sop_review/migrate",
                       data={"csrf_token": token, "to_version": "2", "map.parked": "on_hold", "action": "migrate"})
    assert "已将 2 个实例迁移到版本 2；1 个受阻。" in done.text
    history = client.get(f"/instances/{seeded.parked[0]}").text
    assert "已迁移" in history and "版本 1 → 2" in history
    bad = client.post("/admin/workflows/sop_review/migrate",
                      data={"csrf_token": token, "to_version": "2", "map.parked": "limbo", "action": "dry_run"})
    assert bad.status_code == 422


def test_the_state_map_lists_the_states_running_instances_can_be_in(
        svc: Services, client: TestClient, seeded: Seeded) -> None:
    sign_in(client, svc, "admin.wu")
    page = client.get("/admin/workflows/sop_review/migrate?from=1&to=2").text
    assert [state for state in ("draft", "review", "parked", "done", "rejected") if f'id="map-{state}"' in page] == [
        "draft", "review", "parked"]
    assert "版本 1 上有 3 个在运行" in page
