"""An agenda built from a seeded database holds exactly the expected items, keeps decisions when
regenerated, carries open items to the next meeting, and is prepared by the sweep once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from channels.meetings import tables as m
from channels.meetings.agendas import get_agenda, prepare_agenda, prepare_due_agendas
from channels.meetings.decisions import record_decision
from tests.support.meetings import FIRST_TUESDAY, World, review_tasks, seed
from workflows.domain.errors import PermissionDenied
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services


@pytest.fixture
def world(svc: Services) -> World:
    return seed(svc)


def _keys(svc: Services, world: World, occurrence: int | None = None) -> dict[str, set[str]]:
    agenda = get_agenda(svc, actor=world.committee, meeting_id=world.meeting.id, occurrence_id=occurrence)
    return {s.name: {i.key for i in s.items} for s in agenda.sections if s.items}


def test_agenda_from_a_seeded_database_holds_exactly_the_expected_items(svc: Services, world: World) -> None:
    prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    ids = world.ids
    assert _keys(svc, world) == {
        "terminations": {f"termination:{ids['review']}"},
        "cards": {f"card:{ids['yellow']}"},
        "lifecycle": {f"suggestion:{ids['suggestion']}", f"approval:{ids['approval']}"},
        "alarms": {f"alarm:{ids['alarm']}"},
        "tasks": {f"task:{task}" for task in review_tasks(svc, ids["onboarding"])},
        "sla_breaches": {f"sla:{ids['complaint']}:first_response", f"sla:{ids['complaint']}:resolution"},
        "proposals": {f"proposal:{ids['proposal']}"},
        "five_star": {f"stars:2026-11:{ids['channel']}"},
    }


def test_items_link_to_their_instance_and_say_what_is_asked(svc: Services, world: World) -> None:
    agenda = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    termination = next(s for s in agenda.sections if s.name == "terminations").items[0]
    assert termination.link == f"/instances/{world.ids['review']}"
    assert termination.triggers == ["terminate", "reprieve"]
    assert "C-777 杭州代理商" in termination.title_zh and termination.ask_en.startswith("Terminate")
    breaches = next(s for s in agenda.sections if s.name == "sla_breaches")
    goals = {g["goal"]: g for g in breaches.facts["attainment"]["complaint"]}
    assert (goals["first_response"]["breached"], goals["first_response"]["attainment"]) == (1, 0.0)
    assert goals["resolution"]["open_breached"] == 1


def test_regenerating_keeps_recorded_decisions_and_bumps_sequence_only_on_change(svc: Services, world: World
                                                                                  ) -> None:
    first = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    card = next(s for s in first.sections if s.name == "cards").items[0]
    record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=card.id,
                    summary="要求提交改进计划")
    same = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    assert same.occurrence.sequence == first.occurrence.sequence == 0

    svc.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    fire_proposal = next(s for s in same.sections if s.name == "proposals").items[0]
    record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=fire_proposal.id,
                    summary="批准资助", trigger="fund")
    again = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    kept = {i.key: i for s in again.sections for i in s.items}
    assert kept[card.key].decision is not None and kept[card.key].decision.summary == "要求提交改进计划"
    assert kept[fire_proposal.key].status == "decided"  # the proposal is funded now, yet its decision stays
    assert again.occurrence.sequence == 1


def test_open_items_are_flagged_or_carried_to_the_next_meeting(svc: Services, world: World) -> None:
    first = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)
    alarm = next(s for s in first.sections if s.name == "alarms").items[0]
    record_decision(svc, actor=world.committee, meeting_id=world.meeting.id, item_id=alarm.id,
                    summary="下月再议", outcome="deferred")
    svc.clock.set(FIRST_TUESDAY + timedelta(days=30))  # type: ignore[attr-defined]

    nxt = prepare_agenda(svc, actor=world.committee, meeting_id=world.meeting.id)

    assert nxt.occurrence.starts_at > FIRST_TUESDAY
    carried = next(s for s in nxt.sections if s.name == "carried_over")
    assert f"carry:{alarm.key}" in {i.key for i in carried.items}
    termination = next(s for s in nxt.sections if s.name == "terminations").items[0]
    assert termination.carried_from is not None


def test_the_sweep_prepares_each_due_agenda_once_and_sends_it_to_every_attendee(svc: Services, world: World
                                                                                 ) -> None:
    first = prepare_due_agendas(svc)
    second = prepare_due_agendas(svc)

    assert (first.prepared, second.prepared) == (1, 0)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.outbox.c.recipient).where(t.outbox.c.template == "meeting_agenda")
                                ).scalars().all()
        generated = uow.conn.execute(select(func.count()).select_from(m.occurrences).where(
            m.occurrences.c.agenda_generated_at.is_not(None))).scalar_one()
    assert sorted(rows) == sorted(f"user:{u.id}" for u in (world.committee, world.member))
    assert generated == 1


def test_the_sweep_does_not_prepare_an_agenda_before_its_day(svc: Services, world: World) -> None:
    svc.clock.set(FIRST_TUESDAY - timedelta(days=5))  # type: ignore[attr-defined]
    assert prepare_due_agendas(svc).prepared == 0


def test_only_the_committee_or_an_admin_prepares_and_only_attendees_read(svc: Services, world: World) -> None:
    with pytest.raises(PermissionDenied):
        prepare_agenda(svc, actor=world.member, meeting_id=world.meeting.id)
    with pytest.raises(PermissionDenied):
        get_agenda(svc, actor=world.manager, meeting_id=world.meeting.id)
    assert get_agenda(svc, actor=world.member, meeting_id=world.meeting.id).meeting.id == world.meeting.id
    assert prepare_agenda(svc, actor=SYSTEM, meeting_id=world.meeting.id).generated_at is not None
