"""Session epochs through the actor cache: this process refuses an ended session at once, another
within its cache time, and a session newer than the cached user is not refused."""

from __future__ import annotations

import pytest

from tests.integration.test_auth__actor_cache import Seconds, other_process
from workflows.domain.errors import Unauthenticated
from workflows.domain.principals import SYSTEM
from workflows.services.auth import actor_by_id, known_actor
from workflows.services.context import Services
from workflows.services.sessions import end_sessions
from workflows.services.users import add_user


def test_an_ended_session_is_refused_at_once_in_this_process(svc: Services) -> None:
    user = add_user(svc, actor=SYSTEM, login="li")
    assert actor_by_id(svc, user_id=user.id, epoch=0).login == "li"  # now cached
    end_sessions(svc, actor=SYSTEM, user_id=user.id)
    with pytest.raises(Unauthenticated, match="session has ended"):
        actor_by_id(svc, user_id=user.id, epoch=0)
    assert actor_by_id(svc, user_id=user.id, epoch=1).session_epoch == 1


def test_another_process_refuses_an_ended_session_within_its_cache_time(svc: Services) -> None:
    seconds = Seconds()
    other = other_process(svc, seconds)
    try:
        user = add_user(svc, actor=SYSTEM, login="li")
        assert actor_by_id(other, user_id=user.id, epoch=0).login == "li"
        end_sessions(svc, actor=SYSTEM, user_id=user.id)
        assert known_actor(other, user_id=user.id, epoch=0) is not None  # still trusted, within 5 s
        seconds.now += 5
        with pytest.raises(Unauthenticated):
            actor_by_id(other, user_id=user.id, epoch=0)
    finally:
        other.engine.dispose()


def test_a_session_newer_than_the_cached_user_is_read_again_not_refused(svc: Services) -> None:
    seconds = Seconds()
    other = other_process(svc, seconds)
    try:
        user = add_user(svc, actor=SYSTEM, login="li")
        assert actor_by_id(other, user_id=user.id, epoch=0).session_epoch == 0  # cached at epoch 0
        new_epoch = end_sessions(svc, actor=SYSTEM, user_id=user.id)  # logged out and in again elsewhere
        assert known_actor(other, user_id=user.id, epoch=new_epoch) is None
        assert actor_by_id(other, user_id=user.id, epoch=new_epoch).session_epoch == new_epoch
    finally:
        other.engine.dispose()
