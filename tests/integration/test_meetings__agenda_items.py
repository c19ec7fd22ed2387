"""What an agenda item says: an instance is never an item twice (its overdue tasks and SLA breaches
are shown under the item that lists it), falls are printed precisely, actions by title, and the
calendar invitation describes the agenda in plain text with absolute links."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import update

from channels import tables as ch
from channels.meetings.agendas import prepare_agenda
from channels.meetings.rendering import render
from tests.support.meetings import World, seed
from workflows.services.context import Services


@pytest.fixture
def world(svc: Services) -> World:
    return seed(svc)


def _alarm_on(svc: Services, world: World, *, instance_id: int, change_pct: float) -> None:
    """The seeded region alarm, as if it had opened `instance_id` and fallen by `change_pct`."""
    with svc.uow() as uow:
        uow.conn.execute(update(ch.channel_alarms).where(ch.channel_alarms.c.id == world.ids["alarm"])
                         .values(instance_id=instance_id, change_pct=change_pct, current=100 + change_pct))
        uow.commit()


def test_breaches_of_an_instance_listed_by_an_alarm_are_shown_under_the_alarm_not_again(svc: Services,
                                                                                      world: World) -> None:
    _alarm_on(svc, world, instance_id=world.ids["complaint"], change_pct=-30.0)
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    sections = {s.name: s for s in agenda.sections}
    alarm = sections["alarms"].items[0]
    assert [b["goal"] for b in alarm.facts["breaches"]] == ["first_response", "resolution"]
    assert sections["sla_breaches"].items == [] and sections["sla_breaches"].total == 0
    text = render(agenda, format="md", lang="zh", stamp=svc.clock.now()).text
    assert text.count(f"投诉处理 #{world.ids['complaint']}") == 2  # both breaches, under the alarm only
    assert "时限超时: 投诉处理 #" in text and "另有 2 项列于上方相关事项之下" in text
    english = render(agenda, format="md", lang="en", stamp=svc.clock.now()).text
    assert "2 more listed under their items above" in english


def test_a_fall_just_past_the_threshold_does_not_read_as_the_threshold(svc: Services, world: World) -> None:
    _alarm_on(svc, world, instance_id=world.ids["complaint"], change_pct=-20.01)
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    alarm = next(s for s in agenda.sections if s.name == "alarms").items[0]
    assert alarm.title_zh == "东区 2026-10 销售额环比下降 20.01%"
    assert alarm.title_en == "East: Sales fell 20.01% in 2026-10 against the previous period"


def test_possible_actions_and_goals_read_as_titles_with_what_is_known(svc: Services, world: World) -> None:
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    text = render(agenda, format="md", lang="zh", stamp=svc.clock.now()).text
    assert "可执行操作: 终止合作、暂缓" in text and "`terminate`" not in text
    # resolution: no clock stopped in the window, one running clock already past its goal
    assert "首次响应 达成率 0.0%, 问题解决 尚无已结束的计时（另有 1 个计时进行中且已超时）" in text
    html = render(agenda, format="html", lang="en", stamp=svc.clock.now()).text
    assert "Possible actions: Terminate, Reprieve" in html


def test_the_invitation_describes_the_agenda_in_plain_text_with_absolute_links(svc: Services, world: World) -> None:
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    text = render(agenda, format="ics", lang="zh", stamp=svc.clock.now(), base_url="https://ops.example.com").text

    event = Calendar.from_ical(text).walk("VEVENT")[0]
    description = str(event["DESCRIPTION"])
    assert f"https://ops.example.com/instances/{world.ids['review']}" in description
    assert "**" not in description and "](" not in description and "`" not in description
    assert "需决定: 决定终止合作，或暂缓并给予新的改进期" in description
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:chen@example.com", "mailto:li@example.com"]
