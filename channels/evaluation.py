"""Running the KPI rules for a period: `YYYY-MM` (monthly rules) or `YYYY-Qn` (quarterly rules).

Monthly: star ratings, alarms, missing reports. Quarterly: attainment and cards, lifecycle
suggestions. One run is one transaction (a failing channel's workflow step is rolled back to its
savepoint and counted as `failed`); runs are serialised (PostgreSQL: an advisory lock; SQLite:
the write lock) and idempotent: a second run for the same period changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter

from sqlalchemy import select, text

from channels import periods
from channels import tables as ct
from channels.definitions import publish_channel_definitions
from channels.links import local_date
from channels.permissions import ChannelAction, require
from channels.rules.alarms import evaluate_alarms
from channels.rules.cards import evaluate_cards
from channels.rules.lifecycle import suggest
from channels.rules.reports import flag_missing
from channels.rules.stars import rate_month
from channels.thresholds import load
from channels.views import EvaluationResult
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.principals import Actor
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services

log = logging.getLogger(__name__)
_LOCK_KEY = 0x6368616E  # "chan": one evaluation at a time on PostgreSQL


def _active_channels(uow: UnitOfWork) -> list[int]:
    c = ct.channels.c
    return [int(i) for i in uow.conn.execute(select(c.id).where(c.active).order_by(c.id)).scalars()]


def evaluate_period(svc: Services, *, actor: Actor, period: str) -> EvaluationResult:
    """Run the rules of `period` (admins and the system only); returns what happened, by kind."""
    require(actor, ChannelAction.RUN_KPI_RULES)
    period = period.strip()
    if not (periods.is_month(period) or periods.is_quarter(period)):
        raise InvalidInput("bad period", [Problem("period", "expected a month YYYY-MM or a quarter YYYY-Qn")])
    publish_channel_definitions(svc)
    with svc.uow() as uow:
        if uow.dialect == "postgresql":
            uow.conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        now, limits = svc.clock.now(), load(uow)
        channels = _active_channels(uow)
        counts: Counter[str] = Counter()
        if periods.is_month(period):
            counts += rate_month(uow, month=period, limits=limits, now=now)
            counts += evaluate_alarms(svc, uow, month=period, limits=limits, now=now)
            counts += flag_missing(svc, uow, month=period, limits=limits, now=now)
        else:
            counts += evaluate_cards(svc, uow, quarter=period, limits=limits, channels=channels, now=now)
            counts += suggest(svc, uow, quarter=period, limits=limits, channels=channels, now=now)
        uow.commit()
    log.info("evaluated %s for %d channels: %s", period, len(channels), dict(counts))
    return EvaluationResult(period=period, channels=len(channels), counts=dict(sorted(counts.items())))


def last_complete_month(svc: Services) -> str:
    """The month before the current one (in the configured time zone): what a monthly run evaluates."""
    return periods.previous_month(periods.month_of(local_date(svc, svc.clock.now())))


def last_complete_quarter(svc: Services) -> str:
    """The quarter before the current one: what a quarterly run evaluates."""
    return periods.previous_quarter(periods.quarter_of(periods.month_of(local_date(svc, svc.clock.now()))))
