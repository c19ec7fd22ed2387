"""The services' dependencies, built once by the composition root (`channelops.bootstrap`), and what
an effect sees when a step runs it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from dateutil.relativedelta import relativedelta
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from workflows.adapters.calendar import BusinessCalendar, CalendarConfig
from workflows.adapters.clock import Clock
from workflows.domain.durations import Duration
from workflows.domain.errors import Conflict, NotFound
from workflows.domain.limits import InputLimits
from workflows.domain.logins import LoginPolicy
from workflows.domain.principals import Actor
from workflows.domain.validation import validate_source
from workflows.engine.compiled import CompiledWorkflow
from workflows.engine.registry import Registry
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.passwords import Passwords

K = TypeVar("K")
V = TypeVar("V")


class ShortCache(Generic[K, V]):
    """A tiny time-limited map. A change made in this process clears its entry (or all) at once;
    one made in another process is seen within `ttl` seconds. `ttl=0` caches nothing."""

    def __init__(self, ttl: float = 2.0, *, seconds: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._seconds = seconds
        self._items: dict[K, tuple[V, float]] = {}
        self._forgets = 0  # bumped by every forget() and clear()

    def stamp(self) -> int:
        """Take before reading the value from the database; hand to `put`."""
        return self._forgets

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is None or self._seconds() - found[1] >= self.ttl:
            return None
        return found[0]

    def put(self, key: K, value: V, *, stamp: int | None = None) -> None:
        """Keep `value`, unless something was forgotten since `stamp`: then the value may have been
        read before that change committed, and keeping it would undo the forget."""
        if self.ttl > 0 and (stamp is None or stamp == self._forgets):
            self._items[key] = (value, self._seconds())

    def forget(self, key: K) -> None:
        self._forgets += 1
        self._items.pop(key, None)

    def clear(self) -> None:
        self._forgets += 1
        self._items.clear()


@dataclass
class Services:
    """Engine, clock, calendar and registry; caches compiled definitions (immutable once published)."""

    engine: Engine
    clock: Clock
    calendar: BusinessCalendar
    registry: Registry[EffectContext]
    # The configured calendar without the company calendar entries (default: `calendar.config`).
    calendar_base: CalendarConfig | None = None
    # Where people reach the web UI (CHANNELOPS_PUBLIC_URL); notification links start with it.
    public_url: str = "http://127.0.0.1:8000"
    # Signs the decision links in task notifications (CHANNELOPS_SECRET_KEY; set by the app when empty:
    # without it no links are issued) and how long they last (CHANNELOPS_ACTION_LINK_HOURS).
    link_secret: str = ""
    link_hours: int = 72
    # Bounds on definitions' text and instances' data (CHANNELOPS_MAX_*; docs/deploy.md).
    limits: InputLimits = field(default_factory=InputLimits)
    # The latest published version per workflow name (a publish elsewhere is seen within 2 s).
    latest_ids: ShortCache[str, int] = field(default_factory=ShortCache)
    # Users as actors, by id: roles, groups, locale and the active flag. Saves a read transaction on
    # every authenticated request; a change made in another process is seen within the ttl
    # (CHANNELOPS_ACTOR_CACHE_SECONDS), one made in this process at once.
    actors: ShortCache[int, Actor] = field(default_factory=lambda: ShortCache(ttl=5.0))
    # Password hashing, and how many failed logins are allowed (CHANNELOPS_LOGIN_* settings).
    passwords: Passwords = field(default_factory=Passwords)
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)
    # Which stored calendar entries `calendar` was built from, and when that was last compared with
    # the database (see `calendar_entries.refresh_calendar_if_changed`).
    calendar_entries_seen: tuple[tuple[str, str], ...] | None = None
    calendar_checked_at: float = float("-inf")
    _compiled: dict[int, CompiledWorkflow] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _calendar_lock: threading.Lock = field(default_factory=threading.Lock)
    # Every group by code (`workflows.services.groups`): its titles are on most pages. A change made
    # in this process counts at once, one made in another within 10 s.
    group_cache: ShortCache[str, Any] = field(default_factory=lambda: ShortCache(ttl=10.0))

    def __post_init__(self) -> None:
        if self.calendar_base is None:
            self.calendar_base = self.calendar.config

    def swap_calendar(self, build: Callable[[CalendarConfig], BusinessCalendar]) -> BusinessCalendar:
        """Replace the calendar with `build(calendar_base)` (the company calendar entries changed).

        Swaps run one at a time, so a reload that read the entries earlier cannot overwrite a
        later one. A step running during the swap may use both calendars; other processes keep
        theirs until they swap too (or restart).
        """
        with self._calendar_lock:
            assert self.calendar_base is not None
            self.calendar = build(self.calendar_base)
            return self.calendar

    def uow(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def cached(self, definition_id: int) -> CompiledWorkflow | None:
        """The compiled definition if this process has compiled it already (no database access)."""
        return self._compiled.get(definition_id)

    def compiled(self, conn: Connection, definition_id: int, variant: str | None = None) -> CompiledWorkflow:
        """The compiled definition, or its compiled `variant` (an instance's `variant`); published versions
        never change, so the cache never goes stale. Variants are compiled with their definition."""
        found = self._compiled.get(definition_id)
        if found is not None:
            return found.for_variant(variant)
        row = conn.execute(
            select(t.definitions.c.source, t.definitions.c.version).where(t.definitions.c.id == definition_id)
        ).first()
        if row is None:
            raise NotFound(f"workflow definition {definition_id} not found")
        # Its groups were checked against the database's when it was published.
        result = validate_source(row.source, self.registry.vocabulary(any_group=True))
        if result.definition is None or result.problems:
            first = result.problems[0] if result.problems else "unreadable"
            raise Conflict(f"workflow definition {definition_id} can no longer run here: {first}")
        compiled = CompiledWorkflow(
            definition_id=definition_id, version=row.version, definition=result.definition, registry=self.registry
        )
        with self._lock:
            self._compiled.setdefault(definition_id, compiled)
        return self._compiled[definition_id].for_variant(variant)

    def due(self, start: datetime, duration: Duration) -> datetime:
        """`start` plus `duration`, in working time when the duration says so."""
        if duration.working:
            return self.calendar.add_working_time(start, self.working_span(duration))
        if duration.unit == "months":
            return start + relativedelta(months=duration.amount)
        return start + duration.calendar_delta()

    def before(self, due: datetime, start: datetime, due_duration: Duration, before: Duration) -> datetime:
        """The moment `before` ahead of a deadline that was `due_duration` after `start`."""
        if due_duration.working and before.working:
            span = self.working_span(due_duration) - self.working_span(before)
            return self.calendar.add_working_time(start, max(span, timedelta(0)))
        if before.unit == "months":
            return due - relativedelta(months=before.amount)
        return due - (self.working_span(before) if before.working else before.calendar_delta())

    def working_span(self, duration: Duration) -> timedelta:
        """A working duration as an amount of working time (a working day is one day's hours)."""
        if duration.unit == "days":
            return duration.amount * self.calendar.working_day_length()
        return duration.calendar_delta()


@dataclass(frozen=True)
class EffectContext:
    """What an effect sees. It runs inside the step's transaction (`uow`) and must not commit."""

    uow: UnitOfWork
    services: Services
    actor: Actor
    instance_id: int
    workflow: str
    subject_type: str | None
    subject_id: str | None
    state: str
    data: Mapping[str, Any]
    now: datetime
    requester_id: int | None = None
