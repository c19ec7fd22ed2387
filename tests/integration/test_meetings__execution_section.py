"""The joint meeting's agenda has a "department execution" section: last month's compliance per
department, in the JSON, the Markdown, the HTML and the invitation; other meetings do not have it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from channels.meetings.agendas import prepare_agenda
from channels.meetings.render_html import agenda_html
from channels.meetings.render_ics import agenda_ics
from channels.meetings.render_md import agenda_markdown
from channels.meetings.series import create_meeting
from channels.meetings.views import AgendaView, SectionView
from tests.support.report_world import SHANGHAI, ReportWorld, seed_report_world
from workflows.adapters.clock import FixedClock
from workflows.services.context import Services

MEETING_AT = datetime(2026, 12, 8, 10, tzinfo=SHANGHAI)  # a Tuesday in December: the section covers November


@pytest.fixture
def world(svc: Services, clock: FixedClock) -> ReportWorld:
    return seed_report_world(svc, clock)


def agenda_of(svc: Services, world: ReportWorld, kind: str = "joint") -> AgendaView:
    meeting = create_meeting(svc, actor=world.people["com"], kind=kind, starts_at=MEETING_AT,
                             attendee_groups=["committee", "finance"])
    return prepare_agenda(svc, actor=world.people["com"], meeting_id=meeting.id, distribute=False)


def execution(agenda: AgendaView) -> SectionView:
    return next(s for s in agenda.sections if s.name == "department_execution")


def test_the_section_holds_last_months_figures_per_department(svc: Services, world: ReportWorld) -> None:
    section = execution(agenda_of(svc, world))
    assert (section.title_zh, section.facts["period"], section.items) == ("部门制度执行情况（上月）", "2026-11", [])
    rows = {row["group"]: row for row in section.facts["departments"]}
    assert list(rows) == ["market", "sales", "finance", "it"]
    finance = rows["finance"]
    assert (finance["title_zh"], finance["received"], finance["on_time"], finance["late"], finance["overdue"]) == (
        "财务部", 5, 3, 2, 0)
    assert (finance["on_time_rate"], finance["median_hours"], finance["p90_hours"], finance["sla_attainment"]) == (
        60.0, 2.0, 23.4, 50.0)


def test_the_markdown_and_html_show_the_table_in_both_languages(svc: Services, world: ReportWorld) -> None:
    agenda = agenda_of(svc, world)
    markdown = agenda_markdown(agenda, "zh")
    assert "## 部门制度执行情况（上月） (0)" in markdown
    assert "| 财务部 | 5 | 3 | 2 | 0 | 1 | 60.0% | 2.0 h | 23.4 h | 50.0% |" in markdown
    assert "| 销售部 | 3 | 0 | 1 | 1 | 1 | 0.0% | 33.0 h | 33.0 h | — |" in markdown
    html = agenda_html(agenda, "en")
    assert "<h2>Department execution (last month) (0)</h2>" in html
    assert "<tr><th>Finance</th><td>5</td><td>3</td><td>2</td><td>0</td><td>1</td><td>60.0%</td>" in html
    assert "<th>On-time rate</th>" in html


def test_the_invitation_carries_the_section_in_its_description(svc: Services, world: ReportWorld) -> None:
    text = agenda_ics(agenda_of(svc, world), "zh", stamp=datetime(2026, 12, 1, tzinfo=UTC))
    description = str(Calendar.from_ical(text).walk("VEVENT")[0]["DESCRIPTION"])
    assert "部门制度执行情况（上月）" in description and "| 市场部 | 3 | 2 | 0 | 1 | 1 | 66.67% |" in description


def test_a_kpi_review_has_no_department_execution_section(svc: Services, world: ReportWorld) -> None:
    agenda = agenda_of(svc, world, kind="kpi_review")
    assert "department_execution" not in [s.name for s in agenda.sections]
    assert "部门制度执行情况" not in agenda_markdown(agenda, "zh")
