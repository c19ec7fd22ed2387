"""Failed logins counted per login name and per client address, in the database.

A window starts at the first failure; `attempts` failures inside it lock that name (or
`address_attempts` that address) for `lockout`. Counting in the database makes the limits hold
across API processes and restarts. None of these functions commit: they work inside the caller's
unit of work. Names are counted whether or not they exist, so a lockout reveals nothing.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from workflows.domain.logins import ADDRESS, LOGIN, LoginPolicy
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.records import audit

_T = t.login_throttles


def subjects(*, login: str, address: str) -> list[tuple[str, str]]:
    return [(LOGIN, login[:200]), (ADDRESS, address[:200])]


def seconds_locked(uow: UnitOfWork, *, now: datetime, login: str, address: str) -> int:
    """Seconds until both the login name and the address may try again (0: they may now)."""
    keys = subjects(login=login, address=address)
    rows = uow.conn.execute(
        select(_T.c.locked_until).where(or_(*(and_(_T.c.kind == k, _T.c.subject == s) for k, s in keys)),
                                        _T.c.locked_until > now)).scalars().all()
    return max((math.ceil((until - now).total_seconds()) for until in rows), default=0)


def record_failure(uow: UnitOfWork, *, policy: LoginPolicy, now: datetime, login: str, address: str) -> int:
    """Count one failed login for the name and the address; writes an audit row for each lockout
    this failure starts. Returns the seconds locked (0 if not locked)."""
    uow.conn.execute(delete(_T).where(or_(_T.c.locked_until <= now, and_(
        _T.c.locked_until.is_(None), _T.c.window_started_at <= now - policy.window))))
    locked = 0
    for kind, subject in subjects(login=login, address=address):
        failures = _count(uow, kind=kind, subject=subject, now=now)
        if failures >= policy.limit(kind):
            until = now + policy.lockout
            uow.conn.execute(update(_T).where(_T.c.kind == kind, _T.c.subject == subject).values(locked_until=until))
            audit(uow, now=now, actor=SYSTEM, entity_type=kind, entity_id=subject[:100], action="locked_out",
                  data={"login": login[:200], "address": address, "failures": failures, "until": until.isoformat()})
            locked = max(locked, math.ceil(policy.lockout.total_seconds()))
    return locked


def _count(uow: UnitOfWork, *, kind: str, subject: str, now: datetime) -> int:
    """Add one failure to the row of (kind, subject), creating it; the new count."""
    insert = postgresql.insert(_T) if uow.dialect == "postgresql" else sqlite.insert(_T)
    uow.conn.execute(insert.values(kind=kind, subject=subject, failures=0, window_started_at=now,
                                   locked_until=None).on_conflict_do_nothing())
    return int(uow.conn.execute(
        update(_T).where(_T.c.kind == kind, _T.c.subject == subject).values(failures=_T.c.failures + 1)
        .returning(_T.c.failures)).scalar_one())


def clear_login(uow: UnitOfWork, *, login: str) -> None:
    """A successful login: the name starts afresh (the address keeps its count)."""
    uow.conn.execute(delete(_T).where(_T.c.kind == LOGIN, _T.c.subject == login[:200]))
