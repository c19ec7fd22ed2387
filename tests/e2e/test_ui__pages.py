"""Every UI page for every role: signed-in users see it, anonymous visitors are sent to log in,
only admins reach the editor; nothing answers 500; the pages stay out of the OpenAPI document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from channels import permissions
from channels.meetings import series
from channels.meetings.series import create_meeting
from channels.permissions import ChannelAction
from channels.registry import create_channel
from tests.support.ui import sign_in
from workflows.adapters.clock import FixedClock
from workflows.domain.permissions import Action
from workflows.domain.principals import SYSTEM
from workflows.services import instances
from workflows.services.audit_trail import audit_page
from workflows.services.context import Services
from workflows.services.users import actor_for, add_user

ROLES = {"viewer": ([], ["viewer"], False), "channel_manager": ([], ["channel_manager"], False),
         "reviewer": (["finance"], [], False), "committee": (["committee"], [], False), "admin": ([], [], True)}
PAGES = ["/inbox", "/inbox?due=overdue&sort=created", "/instances", "/instances?workflow=complaint&status=active",
         "/instances/{id}", "/dashboard", "/workflows", "/workflows/complaint", "/workflows/complaint?version=1",
         "/workflows/channel_onboarding/start", "/channels", "/channels?card=yellow&stars=&type=agent",
         "/channels/{channel}", "/meetings", "/meetings/{meeting}", "/meetings/{meeting}/agenda.ics",
         "/reports/compliance", "/reports/process", "/reports/process?workflow=complaint&weeks=4",
         "/profile"]
ADMIN_PAGES = ["/admin/workflows", "/admin/workflows/editor", "/admin/workflows/editor?name=complaint",
               "/admin/users", "/admin/users?group=finance&role=reviewer&active=no", "/admin/groups",
               "/admin/groups?show=all", "/admin/groups/market"]
IMPORTERS = {"admin", "channel_manager"}


@dataclass
class World:
    instance: int
    channel: int
    meeting: int

    def page(self, path: str) -> str:
        return path.format(id=self.instance, channel=self.channel, meeting=self.meeting)


@pytest.fixture
def world(svc: Services, clock: FixedClock) -> World:
    """An instance, a channel, and a meeting every role may read (the reviewer as an invited group)."""
    for role, (groups, roles, admin) in ROLES.items():
        add_user(svc, actor=SYSTEM, login=f"{role}_user", groups=groups, roles=roles, is_admin=admin)
    manager = actor_for(svc, login="channel_manager_user")
    instance = instances.start_instance(svc, actor=manager, workflow="complaint", data={"severity": "high"}).id
    channel = create_channel(svc, actor=manager, values={"code": "C-100", "name": "杭州代理商", "type": "agent",
                                                         "region": "east"})
    meeting = create_meeting(svc, actor=actor_for(svc, login="admin_user"), kind="joint",
                             starts_at=clock.now() + timedelta(days=9), attendee_groups=["finance", "committee"],
                             attendee_users=[manager.id or 0])
    return World(instance=instance, channel=channel.id, meeting=meeting.id)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_opens_for_every_role_and_only_admins_reach_the_editor(
        svc: Services, client: TestClient, world: World, role: str) -> None:
    sign_in(client, svc, f"{role}_user")
    for path in PAGES:
        response = client.get(world.page(path))
        assert response.status_code == 200, (path, response.text[:300])
        wanted = "text/calendar" if path.endswith(".ics") else "text/html"
        assert response.headers["content-type"].startswith(wanted), path
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == (200 if role == "admin" else 403), path
    assert client.get("/channels/kpis/import").status_code == (200 if role in IMPORTERS else 403)
    assert ("/admin/workflows" in client.get("/inbox").text) == (role == "admin")


def test_anonymous_visitors_are_sent_to_the_login_page(client: TestClient, world: World) -> None:
    for path in [*PAGES, *ADMIN_PAGES, "/channels/kpis/import"]:
        response = client.get(world.page(path), follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/")


def test_a_missing_page_or_instance_is_a_404_page_not_a_500(svc: Services, client: TestClient, world: World
                                                             ) -> None:
    sign_in(client, svc, "viewer_user")
    for path in ("/no/such/page", "/instances/999999", "/workflows/no_such_workflow", "/instances/abc"):
        response = client.get(path)
        assert response.status_code in (404, 422), path
        assert response.headers["content-type"].startswith("text/html")


def test_ui_routes_stay_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert all(path.startswith("/api/v1/") for path in paths), sorted(paths)


def test_the_front_end_libraries_are_served_from_node_modules(client: TestClient) -> None:
    for path in ("/vendor/htmx/htmx.min.js", "/vendor/mermaid/mermaid.min.js", "/vendor/chartjs/chart.umd.js",
                 "/static/ui.js", "/static/ui.css"):
        assert client.get(path).status_code == 200, path


def test_the_api_still_answers_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/instances/1")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_only_the_committee_records_decisions_and_only_importers_import(svc: Services, client: TestClient,
                                                                         world: World) -> None:
    token = sign_in(client, svc, "reviewer_user")
    decided = client.post(f"/meetings/{world.meeting}/decisions", data={
        "csrf_token": token, "item_id": "1", "occurrence": "1", "summary": "agreed"})
    assert decided.status_code == 403 and "只有委员会成员可以记录会议决议" in decided.text
    imported = client.post("/channels/kpis/import", data={"csrf_token": token},
                           files={"file": ("kpi.csv", b"channel_code,period,sales_actual\nC-100,2026-10,5\n")})
    assert imported.status_code == 403 and "只有管理员和渠道经理可以上报 KPI" in imported.text


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_sees_exactly_the_controls_the_permission_table_allows(
        svc: Services, client: TestClient, world: World, role: str) -> None:
    sign_in(client, svc, f"{role}_user")
    actor = actor_for(svc, login=f"{role}_user")
    shown = {"editor link": "/admin/workflows" in client.get("/inbox").text,
             "edit as a new version": "/admin/workflows/editor?name=complaint" in client.get(
                 "/workflows/complaint").text,
             "import KPIs": 'href="/channels/kpis/import"' in client.get("/channels").text,
             "prepare the agenda": f'action="/meetings/{world.meeting}/agenda"' in client.get(
                 f"/meetings/{world.meeting}").text,
             "cancel a date": f'action="/meetings/{world.meeting}/occurrences/' in client.get(
                 f"/meetings/{world.meeting}").text}
    allowed = {"editor link": permissions.allows(actor, Action.PUBLISH_DEFINITION),
               "edit as a new version": permissions.allows(actor, Action.PUBLISH_DEFINITION),
               "import KPIs": permissions.allows(actor, ChannelAction.REPORT_KPIS),
               "prepare the agenda": permissions.allows(actor, ChannelAction.ORGANISE_MEETINGS),
               "cancel a date": permissions.allows(actor, ChannelAction.ORGANISE_MEETINGS)}
    assert shown == allowed
    assert sum(shown.values()) == {"admin": 5, "channel_manager": 1, "committee": 2}.get(role, 0)


def test_an_organiser_cancels_one_date_of_a_meeting_from_its_page_and_others_may_not(
        svc: Services, client: TestClient, world: World) -> None:
    token = sign_in(client, svc, "reviewer_user")
    page = client.get(f"/meetings/{world.meeting}").text
    [first] = re.findall(r'href="/meetings/\d+/agenda\.ics\?occurrence=(\d+)"', page)
    refused = client.post(f"/meetings/{world.meeting}/occurrences/{first}/cancel", data={"csrf_token": token})
    assert refused.status_code == 403
    token = sign_in(client, svc, "admin_user")
    page = client.get(f"/meetings/{world.meeting}").text
    assert f'action="/meetings/{world.meeting}/occurrences/{first}/cancel"' in page and "取消本次会议" in page
    done = client.post(f"/meetings/{world.meeting}/occurrences/{first}/cancel",
                       data={"csrf_token": token, "reason": "  与季度经营会冲突 "})
    assert done.status_code == 200, done.text
    assert "本次会议已取消；已收到议程的参会人会收到取消通知。" in done.text
    assert "本次会议已取消。" in done.text and "/cancel" not in done.text  # cancelled: no second form
    meeting = series.get_meeting(svc, actor=actor_for(svc, login="admin_user"), meeting_id=world.meeting)
    assert [o.status for o in meeting.upcoming if o.id == int(first)] in ([], ["cancelled"])
    trail = audit_page(svc, actor=SYSTEM, entity_type="meeting", entity_id=str(world.meeting)).items
    cancelled = [e for e in trail if e.action == "occurrence_cancelled"]
    assert [(e.actor_login, e.comment, e.data) for e in cancelled] == [
        ("admin_user", "与季度经营会冲突", {"occurrence_id": int(first)})]
