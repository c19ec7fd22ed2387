"""Logging in with a login name and a password: throttled, and the same work whether or not the
login exists.

`log_in` hashes (≈0.3 s of CPU): the API runs it on its own small pool of threads, never on the
request threads (see `api/login_pool.py`).
"""

from __future__ import annotations

from sqlalchemy import select

from workflows.domain.errors import TooManyRequests, Unauthenticated
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services import throttle
from workflows.services.context import Services
from workflows.services.users import actor_from_row

REFUSED = "wrong login or password"
LOCKED = "too many failed logins; try again later"


def log_in(svc: Services, *, login: str, password: str, address: str) -> Actor:
    """The active user with this login and password.

    Refusals: Unauthenticated (the same answer whether or not the login exists), or TooManyRequests
    while the login name or the client `address` is locked after too many failures (no password is
    checked then). A success clears the name's failures.
    """
    now = svc.clock.now()
    login = login.strip()
    with svc.uow(write=False) as uow:
        wait = throttle.seconds_locked(uow, now=now, login=login, address=address)
        row = None if wait else uow.conn.execute(select(t.users).where(t.users.c.login == login)).mappings().first()
    if wait:
        raise TooManyRequests(LOCKED, retry_after=wait)
    # No row, an inactive user or no password: checked against a dummy hash, and refused.
    hashed = row["password_hash"] if row is not None and row["active"] else None
    if svc.passwords.verify(password, hashed) and row is not None:
        with svc.uow() as uow:
            throttle.clear_login(uow, login=login)
            uow.commit()
        return actor_from_row(dict(row))
    with svc.uow() as uow:
        locked = throttle.record_failure(uow, policy=svc.login_policy, now=now, login=login, address=address)
        uow.commit()
    if locked:
        raise TooManyRequests(LOCKED, retry_after=locked)
    raise Unauthenticated(REFUSED)
