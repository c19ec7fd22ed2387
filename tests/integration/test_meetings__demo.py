"""The demo shows an upcoming joint meeting whose agenda a committee member can read and decide on."""

from __future__ import annotations

from channelops import demo
from channels.meetings.agendas import get_agenda
from channels.meetings.decisions import record_decision
from channels.meetings.rendering import render
from channels.meetings.series import list_meetings
from workflows.services.context import Services
from workflows.services.users import actor_for


def test_the_demo_has_an_upcoming_joint_meeting_with_a_generated_agenda(svc: Services) -> None:
    demo.seed(svc)
    chen = actor_for(svc, login="chen.committee")

    meetings = {m.kind: m for m in list_meetings(svc, actor=chen)}
    assert set(meetings) == {"joint", "kpi_review", "full_review"}
    agenda = get_agenda(svc, actor=chen, meeting_id=meetings["joint"].id)
    assert agenda.generated_at is not None and agenda.occurrence.starts_at > svc.clock.now()
    sections = {s.name: s for s in agenda.sections}
    assert sections["terminations"].total == 1 and sections["cards"].total >= 2
    assert "METHOD:REQUEST" in render(agenda, format="ics", lang="zh", stamp=svc.clock.now()).text
    termination = sections["terminations"].items[0]
    decision = record_decision(svc, actor=chen, meeting_id=meetings["joint"].id, item_id=termination.id,
                               summary="给予三个月暂缓期", trigger="reprieve")
    assert decision.to_state == "yellow_card"
