"""Logging in does the same work whether or not the login exists, and a success starts the name afresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.support.passwords import CountingHasher
from workflows.domain.errors import Unauthenticated
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.logins import log_in
from workflows.services.passwords import Passwords
from workflows.services.users import add_user


@pytest.fixture
def hasher(svc: Services) -> CountingHasher:
    fake = CountingHasher()
    svc.passwords = Passwords(hasher=fake)
    return fake


def _checks_for(svc: Services, hasher: CountingHasher, login: str) -> int:
    before = hasher.checks
    with pytest.raises(Unauthenticated):
        log_in(svc, login=login, password="wrong password", address="10.0.0.1")
    return hasher.checks - before


def test_an_unknown_login_costs_one_password_check_like_a_known_one(svc: Services, hasher: CountingHasher) -> None:
    add_user(svc, actor=SYSTEM, login="li", password="right password")
    assert _checks_for(svc, hasher, "li") == 1
    assert _checks_for(svc, hasher, "nobody") == 1


def test_an_inactive_user_and_a_user_without_password_cost_one_check_too(svc: Services,
                                                                          hasher: CountingHasher) -> None:
    gone = add_user(svc, actor=SYSTEM, login="gone", password="right password")
    add_user(svc, actor=SYSTEM, login="nopass")
    with svc.uow() as uow:
        uow.conn.execute(update(t.users).where(t.users.c.id == gone.id).values(active=False))
        uow.commit()
    assert _checks_for(svc, hasher, "gone") == 1
    assert _checks_for(svc, hasher, "nopass") == 1


def test_an_inactive_user_is_refused_even_with_the_right_password(svc: Services, hasher: CountingHasher) -> None:
    gone = add_user(svc, actor=SYSTEM, login="gone", password="right password")
    with svc.uow() as uow:
        uow.conn.execute(update(t.users).where(t.users.c.id == gone.id).values(active=False))
        uow.commit()
    with pytest.raises(Unauthenticated):
        log_in(svc, login="gone", password="right password", address="10.0.0.1")


def test_a_successful_login_forgets_the_names_failures_but_not_the_addresss(svc: Services,
                                                                             hasher: CountingHasher) -> None:
    add_user(svc, actor=SYSTEM, login="li", password="right password")
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            log_in(svc, login="li", password="wrong", address="10.0.0.1")
    assert log_in(svc, login="li", password="right password", address="10.0.0.1").login == "li"
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.login_throttles.c.kind, t.login_throttles.c.subject,
                                       t.login_throttles.c.failures)).all()
    assert [tuple(r) for r in rows] == [("address", "10.0.0.1", 2)]
