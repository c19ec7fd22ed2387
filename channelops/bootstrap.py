"""Composition root: the one place that builds engines, clocks, calendars and registries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError, ProgrammingError

from channelops.settings import Settings, get_settings
from channels import attributes as channel_attributes
from channels import effects as channel_effects
from channels.definitions import publish_channel_definitions
from channels.rules import cards as channel_cards
from workflows.adapters.calendar import BusinessCalendar, CalendarConfig
from workflows.adapters.clock import Clock, SystemClock
from workflows.domain.limits import InputLimits
from workflows.domain.logins import LoginPolicy
from workflows.domain.principals import SYSTEM
from workflows.engine.registry import Registry, default_registry
from workflows.persistence import migrate
from workflows.persistence.db import make_engine
from workflows.services.calendar_entries import load_calendar_config
from workflows.services.context import EffectContext, Services, ShortCache
from workflows.services.definitions import publish_shipped


def build_registry() -> Registry[EffectContext]:
    """Every guard and effect a definition may name."""
    registry: Registry[EffectContext] = default_registry()
    channel_effects.register(registry)
    channel_attributes.register(registry)
    channel_cards.register(registry)
    return registry


def build_services(
    settings: Settings | None = None, *, clock: Clock | None = None, calendar: BusinessCalendar | None = None
) -> Services:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous,
                         pool_size=settings.pool_size)
    base = None
    if calendar is None:
        base = CalendarConfig(timezone=settings.timezone)
        try:  # the public calendar plus the company calendar entries
            calendar = BusinessCalendar(load_calendar_config(engine, base))
        except (OperationalError, ProgrammingError) as exc:  # only "no such table" (not migrated yet) is fine
            if getattr(exc.orig, "sqlstate", None) != "42P01" and "no such table" not in str(exc.orig):
                raise
            calendar = BusinessCalendar(base)  # a fresh database has no entries
    return Services(
        engine=engine,
        clock=clock or SystemClock(),
        calendar=calendar,
        calendar_base=base,
        registry=build_registry(),
        public_url=settings.public_url.rstrip("/"),
        link_secret=settings.with_local_secret().secret_key,
        link_hours=settings.action_link_hours,
        actors=ShortCache(ttl=settings.actor_cache_seconds),
        login_policy=login_policy(settings),
        limits=input_limits(settings),
    )


def prepare_database(svc: Services, settings: Settings) -> None:
    """Migrate to the latest schema and publish the shipped workflows (both idempotent)."""
    migrate.upgrade(settings.database_url)
    publish_shipped(svc, actor=SYSTEM)
    publish_channel_definitions(svc)


def login_policy(settings: Settings) -> LoginPolicy:
    """The login throttling limits of the CHANNELOPS_LOGIN_* settings."""
    return LoginPolicy(attempts=settings.login_attempts, address_attempts=settings.login_address_attempts,
                       window=timedelta(seconds=settings.login_window_seconds),
                       lockout=timedelta(seconds=settings.login_lockout_seconds))


def input_limits(settings: Settings) -> InputLimits:
    """The bounds on definitions, uploads and instance data of the CHANNELOPS_MAX_* settings."""
    return InputLimits(yaml_bytes=settings.max_yaml_bytes, upload_bytes=settings.max_upload_bytes,
                       data_bytes=settings.max_data_bytes, data_depth=settings.max_data_depth,
                       data_string=settings.max_data_string)
