"""The HTML agenda comes from an autoescaped template: data cannot add markup to the page, while the
Markdown agenda (plain text) keeps the same values as written."""

from __future__ import annotations

import pytest

from channels.meetings.agendas import prepare_agenda
from channels.meetings.decisions import record_decision
from channels.meetings.rendering import render
from channels.meetings.series import create_meeting
from channels.meetings.views import AgendaView
from tests.support.meetings import FIRST_TUESDAY, World, seed
from workflows.services.context import Services

HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
def agenda(svc: Services) -> AgendaView:
    world: World = seed(svc)
    meeting = create_meeting(svc, actor=world.committee, kind="joint", starts_at=FIRST_TUESDAY, title_zh=HOSTILE,
                             title_en=HOSTILE, location=HOSTILE, attendee_users=[world.member.id or 0])
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=meeting.id)
    item = next(s for s in agenda.sections if s.name == "terminations").items[0]
    record_decision(svc, actor=world.committee, meeting_id=meeting.id, item_id=item.id, summary=HOSTILE,
                    outcome="deferred")
    return prepare_agenda(svc, actor=world.committee, meeting_id=meeting.id, distribute=False)


@pytest.mark.parametrize("minutes", [False, True])
def test_a_script_in_a_title_a_place_or_a_decision_is_escaped_in_the_html_agenda(
        svc: Services, agenda: AgendaView, minutes: bool) -> None:
    page = render(agenda, format="html", lang="en", stamp=svc.clock.now(), minutes=minutes).text
    assert "<script" not in page
    # the <title>, the heading, the place and the decision
    assert page.count(ESCAPED) == 4
    assert f"<h1>{ESCAPED} · {'Minutes' if minutes else 'Agenda'}</h1>" in page


def test_the_markdown_agenda_keeps_the_same_values_as_written(svc: Services, agenda: AgendaView) -> None:
    text = render(agenda, format="md", lang="en", stamp=svc.clock.now()).text
    assert text.startswith(f"# {HOSTILE} · Agenda\n")
    assert "&lt;" not in text and text.count(HOSTILE) == 3
