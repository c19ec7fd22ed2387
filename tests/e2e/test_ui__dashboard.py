"""The dashboard shows the numbers of the data behind it: task tiles, card tiles and the latest alarms."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from channels.evaluation import evaluate_period
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from tests.support.ui import sign_in
from workflows.adapters.clock import FixedClock
from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.instances import fire_trigger, start_instance

TILE = re.compile(r'<span class="n">(\d+)</span> ([^<]+)</a>')


def _tiles(html: str) -> dict[str, int]:
    return {label.strip(): int(number) for number, label in TILE.findall(html)}


def test_the_dashboard_lists_the_latest_alarm_with_its_channel_and_fall(
        svc: Services, client: TestClient, make_user: UserFactory) -> None:
    manager = make_user(roles=("channel_manager",), login="dash_manager")
    falling = f.channel(svc, manager=manager, region="north")
    steady = f.channel(svc, region="north")
    f.report(svc, falling.code, {"2026-09": 100, "2026-10": 70})
    f.report(svc, steady.code, {"2026-09": 100, "2026-10": 100})
    evaluate_period(svc, actor=SYSTEM, period="2026-10")
    sign_in(client, svc, "dash_manager")
    html = client.get("/dashboard").text
    title = html[html.index("<title>"):html.index("</title>")]
    assert "<table" not in title and "总览" in title
    alarms = html[html.index('id="h-alarms"'):]
    assert f'href="/channels/{falling.id}"' in alarms
    assert "-30.0%" in alarms
    assert f'href="/channels/{steady.id}"' not in alarms


def test_the_task_tiles_count_open_and_overdue_tasks(svc: Services, client: TestClient, clock: FixedClock,
                                                    make_user: UserFactory) -> None:
    requester = make_user(roles=("channel_manager",), login="dash_requester")
    for name in ("甲", "乙"):
        inst = start_instance(svc, actor=requester, workflow="channel_onboarding",
                              data={"channel_name": name, "channel_type": "agent", "region": "east"})
        fire_trigger(svc, actor=requester, instance_id=inst.id, trigger="submit")
    sign_in(client, svc, "dash_requester")
    tiles = _tiles(client.get("/dashboard").text)
    assert (tiles["待办任务"], tiles["逾期任务"]) == (6, 0)
    clock.set(clock.now() + timedelta(days=7))  # past the 3 working days of the department reviews
    tiles = _tiles(client.get("/dashboard").text)
    assert (tiles["待办任务"], tiles["逾期任务"]) == (6, 6)
