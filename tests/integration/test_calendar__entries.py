"""Company calendar entries: admins add days off and working days; new SLA due dates follow them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from channelops.bootstrap import build_services
from channelops.settings import Settings
from tests.integration.helpers import count
from tests.support.fixtures import UserFactory
from workflows.adapters.calendar import CalendarConfig
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import Conflict, NotFound, PermissionDenied
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.calendar_entries import (
    add_calendar_entry,
    calendar_coverage,
    list_calendar_entries,
    load_calendar_config,
    refresh_calendar_if_changed,
    remove_calendar_entry,
)
from workflows.services.context import Services
from workflows.services.instances import start_instance

SHANGHAI = ZoneInfo("Asia/Shanghai")
TUESDAY, SUNDAY = date(2026, 11, 24), date(2026, 11, 29)


def shanghai(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def admin(make_user: UserFactory) -> Actor:
    return make_user(admin=True)


@pytest.fixture
def manager(make_user: UserFactory) -> Actor:
    return make_user(roles=("channel_manager",))


def first_response_due(svc: Services, manager: Actor, severity: str) -> datetime:
    complaint = start_instance(svc, actor=manager, workflow="complaint", data={"severity": severity})
    with svc.uow(write=False) as uow:
        due: datetime = uow.conn.execute(select(t.sla_clocks.c.due_at).where(
            t.sla_clocks.c.instance_id == complaint.id, t.sla_clocks.c.goal == "first_response")).scalar_one()
    return due


def test_a_company_holiday_on_a_working_day_is_skipped_by_new_sla_due_dates(
    svc: Services, admin: Actor, manager: Actor
) -> None:
    # Monday 09:00 + 24 working hours (three working days) ends Wednesday 18:00 ...
    assert first_response_due(svc, manager, "low") == shanghai(25, 18)
    add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday", note="company anniversary")
    # ... and Thursday 18:00 once Tuesday is a company day off.
    assert first_response_due(svc, manager, "low") == shanghai(26, 18)


def test_a_company_workday_on_a_sunday_counts_as_working_time(
    svc: Services, admin: Actor, manager: Actor, clock: FixedClock
) -> None:
    clock.set(shanghai(27, 17))  # Friday 17:00: one working hour left that day
    assert first_response_due(svc, manager, "high") == shanghai(30, 12)  # Monday 12:00
    add_calendar_entry(svc, actor=admin, day=SUNDAY, kind="workday")
    assert first_response_due(svc, manager, "high") == shanghai(29, 12)  # Sunday 12:00


def test_removing_an_entry_gives_the_day_back_to_the_public_calendar(svc: Services, admin: Actor) -> None:
    add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday")
    assert not svc.calendar.is_working_day(TUESDAY)
    assert remove_calendar_entry(svc, actor=admin, day=TUESDAY).kind == "holiday"
    assert svc.calendar.is_working_day(TUESDAY)
    assert list_calendar_entries(svc) == []


def test_entries_are_audited(svc: Services, admin: Actor) -> None:
    add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday")
    remove_calendar_entry(svc, actor=admin, day=TUESDAY)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events.c.action, t.audit_events.c.actor_login).where(
            t.audit_events.c.entity_type == "calendar").order_by(t.audit_events.c.id)).all()
    assert [tuple(r) for r in rows] == [("calendar_entry_added", admin.login), ("calendar_entry_removed", admin.login)]


def test_a_user_who_is_not_an_admin_is_refused_and_nothing_is_written(svc: Services, manager: Actor) -> None:
    with pytest.raises(PermissionDenied):
        add_calendar_entry(svc, actor=manager, day=TUESDAY, kind="holiday")
    assert count(svc, t.calendar_entries) == 0
    assert svc.calendar.is_working_day(TUESDAY)


def test_a_second_entry_for_the_same_day_is_a_conflict(svc: Services, admin: Actor) -> None:
    add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday")
    with pytest.raises(Conflict, match="already has a company calendar entry"):
        add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="workday")
    assert [(e.day, e.kind) for e in list_calendar_entries(svc)] == [(TUESDAY, "holiday")]


def test_removing_a_day_without_an_entry_is_not_found(svc: Services, admin: Actor) -> None:
    with pytest.raises(NotFound):
        remove_calendar_entry(svc, actor=admin, day=TUESDAY)


def test_the_stored_entries_are_folded_into_a_calendar_config(svc: Services, admin: Actor) -> None:
    add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday")
    add_calendar_entry(svc, actor=admin, day=SUNDAY, kind="workday")
    base = CalendarConfig(extra_holidays=frozenset({date(2026, 12, 1)}))
    config = load_calendar_config(svc.engine, base)
    assert (config.extra_holidays, config.extra_workdays) == ({date(2026, 12, 1), TUESDAY}, {SUNDAY})


def test_a_process_started_later_builds_its_calendar_from_the_stored_entries(
    svc: Services, admin: Actor, database_url: str
) -> None:
    add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday")
    other = build_services(Settings(database_url=database_url))
    try:
        assert not other.calendar.is_working_day(TUESDAY)
    finally:
        other.engine.dispose()


def test_a_running_process_picks_up_an_entry_another_process_added(
    svc: Services, admin: Actor, database_url: str
) -> None:
    other = build_services(Settings(database_url=database_url))
    try:
        refresh_calendar_if_changed(other, every=0)
        assert other.calendar.is_working_day(TUESDAY)
        add_calendar_entry(svc, actor=admin, day=TUESDAY, kind="holiday")

        assert refresh_calendar_if_changed(other, every=0)
        assert not other.calendar.is_working_day(TUESDAY)
        assert not refresh_calendar_if_changed(other, every=0)  # nothing changed since
        remove_calendar_entry(svc, actor=admin, day=TUESDAY)
        assert not refresh_calendar_if_changed(other, every=3600)  # looked too recently: no query
        assert other.calendar.is_working_day(TUESDAY) is False
        assert refresh_calendar_if_changed(other, every=0)
        assert other.calendar.is_working_day(TUESDAY)
    finally:
        other.engine.dispose()


def test_a_database_not_migrated_yet_still_starts_with_the_public_calendar(tmp_path: Path) -> None:
    fresh = build_services(Settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}"))
    try:
        assert fresh.calendar.is_working_day(TUESDAY)
        assert fresh.calendar.config.extra_holidays == frozenset()
    finally:
        fresh.engine.dispose()


def test_coverage_says_which_years_need_company_entries(svc: Services, admin: Actor) -> None:
    add_calendar_entry(svc, actor=admin, day=date(2027, 2, 3), kind="holiday")
    covered, uncovered = calendar_coverage(svc, year=2026), calendar_coverage(svc, year=2027)
    assert (covered.covered, covered.warning, covered.entries) == (True, None, 0)
    assert (uncovered.covered, uncovered.entries) == (False, 1)
    assert "2027" in (uncovered.warning or "")
