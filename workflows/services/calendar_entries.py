"""Company calendar entries: days off and working days an admin adds on top of the public calendar.

An entry wins over the holiday data (see `BusinessCalendar.is_working_day`). After an entry is
added or removed, this process's `Services` switch at once to a calendar rebuilt from the stored
entries; other processes (API workers, timer and outbox loops) notice within `CHECK_EVERY` seconds
(`refresh_calendar_if_changed`, called by their loops). Due times computed before (timer rows
already scheduled) are not moved.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from typing import Literal

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from workflows.adapters.calendar import BusinessCalendar, CalendarConfig
from workflows.domain.errors import Conflict, InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.views import View

EntryKind = Literal["holiday", "workday"]
KINDS = ("holiday", "workday")
NOTE_MAX = 200
CHECK_EVERY = 30.0  # seconds between two looks at the stored entries from a long-lived process


class CalendarEntryView(View):
    day: date
    kind: str
    note: str
    created_by: str


class CoverageView(View):
    year: int
    covered: bool
    warning: str | None
    entries: int


def _entries(uow: UnitOfWork, *, year: int | None = None) -> list[CalendarEntryView]:
    day = t.calendar_entries.c.day
    query = select(t.calendar_entries).order_by(day)
    if year is not None:
        query = query.where(day >= date(year, 1, 1), day <= date(year, 12, 31))
    return [CalendarEntryView.model_validate(dict(row)) for row in uow.conn.execute(query).mappings()]


def load_calendar_config(engine_or_uow: Engine | UnitOfWork, base: CalendarConfig) -> CalendarConfig:
    """`base` with the stored entries added to its `extra_holidays` and `extra_workdays`.

    Raises:
        sqlalchemy.exc.OperationalError, sqlalchemy.exc.ProgrammingError: the table does not
            exist (a database not migrated yet); the caller decides whether that is fine.
    """
    return _with_entries(base, _stored(engine_or_uow))


def _stored(engine_or_uow: Engine | UnitOfWork) -> list[CalendarEntryView]:
    if isinstance(engine_or_uow, UnitOfWork):
        return _entries(engine_or_uow)
    with UnitOfWork(engine_or_uow, write=False) as uow:
        return _entries(uow)


def _with_entries(base: CalendarConfig, entries: list[CalendarEntryView]) -> CalendarConfig:
    holidays = frozenset(e.day for e in entries if e.kind == "holiday")
    workdays = frozenset(e.day for e in entries if e.kind == "workday")
    return replace(base, extra_holidays=base.extra_holidays | holidays, extra_workdays=base.extra_workdays | workdays)


def _fingerprint(entries: list[CalendarEntryView]) -> tuple[tuple[str, str], ...]:
    return tuple((e.day.isoformat(), e.kind) for e in entries)


def refresh_calendar(svc: Services) -> BusinessCalendar:
    """Rebuild `svc.calendar` from the stored entries (also for a process that did not make the change)."""
    entries = _stored(svc.engine)

    def build(base: CalendarConfig) -> BusinessCalendar:
        svc.calendar_entries_seen = _fingerprint(entries)
        return BusinessCalendar(_with_entries(base, entries))

    svc.calendar_checked_at = time.monotonic()
    return svc.swap_calendar(build)


def refresh_calendar_if_changed(svc: Services, *, every: float = CHECK_EVERY) -> bool:
    """Rebuild `svc.calendar` if the stored entries differ from those it was built from; looks at
    the database at most once per `every` seconds (the table holds a few dozen rows). True if rebuilt."""
    if time.monotonic() - svc.calendar_checked_at < every:
        return False
    entries = _stored(svc.engine)
    svc.calendar_checked_at = time.monotonic()
    if _fingerprint(entries) == svc.calendar_entries_seen:
        return False
    refresh_calendar(svc)
    return True


def list_calendar_entries(svc: Services, *, year: int | None = None) -> list[CalendarEntryView]:
    """The company calendar entries, by day; only those of `year` when given."""
    with svc.uow(write=False) as uow:
        return _entries(uow, year=year)


def add_calendar_entry(svc: Services, *, actor: Actor, day: date, kind: EntryKind, note: str = ""
                       ) -> CalendarEntryView:
    """Make `day` a company day off (`holiday`) or working day (`workday`); admins only, audited.

    Raises:
        PermissionDenied: the actor is not an admin.
        InvalidInput: an unknown kind or a note longer than 200 characters.
        Conflict: the day already has an entry (remove it first).
    """
    require(actor, Action.MANAGE_CALENDAR)
    problems = [] if kind in KINDS else [Problem("kind", "must be holiday or workday")]
    if len(note) > NOTE_MAX:
        problems.append(Problem("note", f"must be at most {NOTE_MAX} characters"))
    if problems:
        raise InvalidInput("the calendar entry is not valid", problems)
    now = svc.clock.now()
    values = {"day": day, "kind": kind, "note": note, "created_by": actor.login, "created_at": now}
    with svc.uow() as uow:
        known = uow.conn.execute(select(t.calendar_entries.c.kind).where(t.calendar_entries.c.day == day)).first()
        if known is not None:
            raise Conflict(f"{day} already has a company calendar entry ({known.kind}); remove it first")
        try:
            uow.conn.execute(insert(t.calendar_entries), values)
        except IntegrityError as exc:  # another request added the same day meanwhile
            raise Conflict(f"{day} already has a company calendar entry; remove it first") from exc
        audit(uow, now=now, actor=actor, entity_type="calendar", entity_id=day.isoformat(),
              action="calendar_entry_added", data={"day": day.isoformat(), "kind": kind, "note": note})
        uow.commit()
    refresh_calendar(svc)
    return CalendarEntryView.model_validate(values)


def remove_calendar_entry(svc: Services, *, actor: Actor, day: date) -> CalendarEntryView:
    """Delete the entry of `day`, so the public calendar decides again; admins only, audited.

    Raises:
        PermissionDenied: the actor is not an admin.
        NotFound: `day` has no entry.
    """
    require(actor, Action.MANAGE_CALENDAR)
    with svc.uow() as uow:
        row = uow.conn.execute(select(t.calendar_entries).where(t.calendar_entries.c.day == day)).mappings().first()
        if row is None:
            raise NotFound(f"{day} has no company calendar entry")
        removed = CalendarEntryView.model_validate(dict(row))
        uow.conn.execute(delete(t.calendar_entries).where(t.calendar_entries.c.day == day))
        audit(uow, now=svc.clock.now(), actor=actor, entity_type="calendar", entity_id=day.isoformat(),
              action="calendar_entry_removed", data={"day": day.isoformat(), "kind": removed.kind})
        uow.commit()
    refresh_calendar(svc)
    return removed


def calendar_coverage(svc: Services, *, year: int) -> CoverageView:
    """Whether the holiday data covers `year`, the calendar's warning if not, and the company entries for it."""
    warning = svc.calendar.coverage_warning(year)
    return CoverageView(year=year, covered=warning is None, warning=warning,
                        entries=len(list_calendar_entries(svc, year=year)))
