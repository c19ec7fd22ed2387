"""Database, clock and user fixtures shared by integration and end-to-end tests."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import create_access_token
from channelops.bootstrap import build_registry
from channelops.settings import Settings
from tests.support import databases
from workflows.adapters.calendar import BusinessCalendar
from workflows.adapters.clock import FixedClock
from workflows.domain.group_titles import group_title
from workflows.domain.principals import SYSTEM, Actor
from workflows.persistence.db import make_engine
from workflows.services.context import Services
from workflows.services.definitions import publish_shipped
from workflows.services.groups import add_group, known_codes
from workflows.services.users import actor_for, add_user

# Monday 2026-11-23 09:00 in Shanghai: a working day, at the start of working hours.
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.sqlite_template(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not databases.postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not answering at 127.0.0.1:5432; CI must provide it")
        pytest.skip("PostgreSQL is not answering at 127.0.0.1:5432")
    with databases.postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return databases.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    url: str = request.getfixturevalue("postgres_url")
    databases.truncate_postgres(url)
    return url


@pytest.fixture(scope="session")
def calendar() -> BusinessCalendar:
    return BusinessCalendar()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def svc(database_url: str, clock: FixedClock, calendar: BusinessCalendar) -> Iterator[Services]:
    services = Services(engine=make_engine(database_url), clock=clock, calendar=calendar, registry=build_registry())
    publish_shipped(services, actor=SYSTEM)
    yield services
    services.engine.dispose()


UserFactory = Callable[..., Actor]


def ensure_groups(svc: Services, groups: Iterable[str]) -> None:
    """Create the groups among `groups` that do not exist yet (a user can only join existing groups)."""
    for code in sorted(set(groups) - known_codes(svc)):
        zh, en = group_title(code)
        add_group(svc, actor=SYSTEM, code=code, title_zh=zh, title_en=en)


@pytest.fixture
def make_user(svc: Services) -> UserFactory:
    """Create a user with a random login; returns it as an Actor."""

    def make(*groups: str, roles: tuple[str, ...] = (), admin: bool = False, login: str | None = None) -> Actor:
        name = login or f"u_{uuid.uuid4().hex[:8]}"
        ensure_groups(svc, groups)
        add_user(svc, actor=SYSTEM, login=name, groups=groups, roles=roles, is_admin=admin)
        return actor_for(svc, login=name)

    return make


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-key-not-for-production-0123456789")


@pytest.fixture
def client(svc: Services, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, svc)) as test_client:
        yield test_client


LoginFactory = Callable[..., dict[str, str]]


def bearer(settings: Settings, user_id: int) -> dict[str, str]:
    token = create_access_token(user_id=user_id, secret=settings.secret_key, minutes=60)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def login_as(svc: Services, settings: Settings) -> LoginFactory:
    """Create a user (no password hashing: fast) and return an Authorization header for it."""

    def make(*groups: str, roles: tuple[str, ...] = (), admin: bool = False) -> dict[str, str]:
        name = f"u_{uuid.uuid4().hex[:8]}"
        ensure_groups(svc, groups)
        view = add_user(svc, actor=SYSTEM, login=name, groups=groups, roles=roles, is_admin=admin)
        return bearer(settings, view.id)

    return make


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Point the CLI's settings at the test database, from a scratch working directory."""
    from channelops.settings import get_settings

    monkeypatch.setenv("CHANNELOPS_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
