"""Users as actors are cached briefly per process: changes made here count at once, changes made
through another process within the cache time."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from channelops.bootstrap import build_registry
from workflows.domain.errors import Unauthenticated
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.persistence.db import make_engine
from workflows.services.auth import actor_by_id, deactivate_user
from workflows.services.context import Services, ShortCache
from workflows.services.users import add_user, set_locale


class Seconds:
    """A hand-moved monotonic clock for the cache."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def other_process(svc: Services, seconds: Seconds, ttl: float = 5.0) -> Services:
    """A second set of services on the same database, as another API process would have."""
    return Services(engine=make_engine(svc.engine.url.render_as_string(hide_password=False)), clock=svc.clock,
                    calendar=svc.calendar, registry=build_registry(), actors=ShortCache(ttl, seconds=seconds))


def test_a_deactivation_in_this_process_refuses_the_user_at_once(svc: Services) -> None:
    admin = add_user(svc, actor=SYSTEM, login="admin1", is_admin=True)
    user = add_user(svc, actor=SYSTEM, login="leaving", groups=["it"])
    assert actor_by_id(svc, user_id=user.id).login == "leaving"  # now cached
    deactivate_user(svc, actor=actor_by_id(svc, user_id=admin.id), user_id=user.id)
    with pytest.raises(Unauthenticated):
        actor_by_id(svc, user_id=user.id)


def test_a_new_language_counts_at_once(svc: Services) -> None:
    user = add_user(svc, actor=SYSTEM, login="lang", groups=["sales"])
    assert actor_by_id(svc, user_id=user.id).locale == "zh"
    set_locale(svc, actor=actor_by_id(svc, user_id=user.id), locale="en")
    assert actor_by_id(svc, user_id=user.id).locale == "en"


def test_a_change_made_through_another_process_counts_within_the_cache_time(svc: Services) -> None:
    seconds = Seconds()
    other = other_process(svc, seconds)
    try:
        user = add_user(svc, actor=SYSTEM, login="moved", groups=["market"])
        assert actor_by_id(other, user_id=user.id).groups == frozenset({"market"})
        with svc.uow() as uow:  # what this process writes, the other one does not hear about
            uow.conn.execute(update(t.users).where(t.users.c.id == user.id).values(active=False))
            uow.commit()
        seconds.now += 4.9
        assert actor_by_id(other, user_id=user.id).login == "moved"  # still trusted, within 5 s
        seconds.now += 0.1
        with pytest.raises(Unauthenticated):
            actor_by_id(other, user_id=user.id)
    finally:
        other.engine.dispose()


def test_a_cache_time_of_zero_reads_the_user_on_every_call(svc: Services) -> None:
    seconds = Seconds()
    other = other_process(svc, seconds, ttl=0)
    try:
        user = add_user(svc, actor=SYSTEM, login="strict", groups=["finance"])
        assert actor_by_id(other, user_id=user.id).login == "strict"
        with svc.uow() as uow:
            uow.conn.execute(update(t.users).where(t.users.c.id == user.id).values(active=False))
            uow.commit()
        with pytest.raises(Unauthenticated):
            actor_by_id(other, user_id=user.id)
    finally:
        other.engine.dispose()


def test_a_user_read_before_a_deactivation_committed_is_not_kept() -> None:
    cache: ShortCache[int, str] = ShortCache(ttl=5.0, seconds=Seconds())
    stamp = cache.stamp()  # a request starts reading user 7 ...
    cache.forget(7)  # ... while another thread deactivates user 7 and forgets it
    cache.put(7, "user 7 as read before the deactivation", stamp=stamp)
    assert cache.get(7) is None
    cache.put(7, "user 7 read afresh", stamp=cache.stamp())
    assert cache.get(7) == "user 7 read afresh"
