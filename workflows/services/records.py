"""Rows that every step writes: audit events, outbox notifications, idempotency records.

None of these functions commit: they write inside the caller's unit of work. Audit and outbox rows
are append-only and never read back in the transaction that writes them, so they are deferred to
the unit of work's commit and inserted there in one statement per table (`UnitOfWork.defer`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from workflows.domain.errors import Conflict
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork

_AUDIT = insert(t.audit_events)
_OUTBOX = insert(t.outbox)


def audit(
    uow: UnitOfWork,
    *,
    now: datetime,
    actor: Actor,
    entity_type: str,
    entity_id: object,
    action: str,
    instance_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    trigger: str | None = None,
    comment: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    uow.defer(
        _AUDIT,
        [{
            "at": now,
            "actor_id": actor.id,
            "actor_login": actor.login,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "instance_id": instance_id,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "trigger": trigger,
            "comment": comment,
            "data": dict(data or {}),
        }],
    )


def recipients_for(principals: Iterable[str], *, requester_id: int | None, data: Mapping[str, Any]) -> list[str]:
    """Turn definition principals into outbox recipients: `user:ID`, `login:L`, `group:G`, `role:R`."""
    found: list[str] = []
    for principal in principals:
        kind, _, name = principal.partition(":")
        if principal == "requester":
            target = f"user:{requester_id}" if requester_id is not None else None
        elif principal == "admin":
            target = "role:admin"
        elif kind in ("group", "role"):
            target = principal
        elif kind == "data":
            value = data.get(name)
            target = f"login:{value}" if isinstance(value, str) and value else None
        else:
            target = None
        if target and target not in found:
            found.append(target)
    return found


def notify(
    uow: UnitOfWork,
    *,
    now: datetime,
    instance_id: int | None,
    recipients: Iterable[str],
    template: str,
    payload: Mapping[str, Any],
) -> None:
    """Write one outbox row per recipient, in the caller's transaction (never lost, never early)."""
    rows = [
        {
            "instance_id": instance_id,
            "recipient": recipient,
            "template": template,
            "payload": dict(payload),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for recipient in dict.fromkeys(recipients)
    ]
    if rows:
        uow.defer(_OUTBOX, rows)


def actor_key(actor: Actor) -> str:
    return "system" if actor.id is None else f"user:{actor.id}"


def claim_key(uow: UnitOfWork, *, actor: Actor, key: str | None, scope: str, now: datetime) -> dict[str, Any] | None:
    """Take `key` for this request, or return the stored response of the request that took it.

    Taking is inserting the key's row with an empty response (an in-progress marker) with ON
    CONFLICT DO NOTHING; `remember` fills the response before the caller commits. A concurrent
    request with the same key waits until the first one ends (PostgreSQL waits on the unique
    index, SQLite on the write lock): if it committed, the waiter replays its response; if it
    rolled back, the waiter takes the key. So every caller of one idempotent request gets the
    same answer.

    Raises:
        Conflict: the key was used for a different request (`scope`).
    """
    if not key:
        return None
    values = {"actor": actor_key(actor), "key": key, "scope": scope, "response": {}, "created_at": now}
    dialect_insert = postgresql.insert if uow.dialect == "postgresql" else sqlite.insert
    taken = uow.conn.execute(dialect_insert(t.idempotency_keys).values(values)
                             .on_conflict_do_nothing(index_elements=["actor", "key"])
                             .returning(t.idempotency_keys.c.id)).first()
    if taken is not None:
        return None
    row = uow.conn.execute(
        select(t.idempotency_keys.c.scope, t.idempotency_keys.c.response).where(
            t.idempotency_keys.c.actor == actor_key(actor), t.idempotency_keys.c.key == key
        )
    ).one()
    if row.scope != scope:
        raise Conflict(f"idempotency key {key!r} was already used for a different request")
    response: dict[str, Any] = row.response
    return response


_REMEMBER = (update(t.idempotency_keys)
             .where(t.idempotency_keys.c.actor == bindparam("actor_key"), t.idempotency_keys.c.key == bindparam("k"))
             .values(response=bindparam("response")))


def remember(uow: UnitOfWork, *, actor: Actor, key: str | None, response: BaseModel) -> None:
    """Store the response of the request that `claim_key` gave `key` to (in the same unit of work); a
    request without a key stores nothing (and its response is not serialised for it)."""
    if key:
        uow.conn.execute(_REMEMBER, {"actor_key": actor_key(actor), "k": key,
                                     "response": response.model_dump(mode="json")})
