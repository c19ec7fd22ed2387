"""Reading one channel row (shared by the registry, the effects and the rules)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from channels import tables as ct
from workflows.domain.errors import NotFound
from workflows.persistence.uow import UnitOfWork

# Built once: the engine reads a channel on every step that touches one.
_BY_ID = select(ct.channels).where(ct.channels.c.id == bindparam("cid"))
_BY_CODE = select(ct.channels).where(ct.channels.c.code == bindparam("code"))
_QUERIES = {(by, lock): query.with_for_update() if lock else query
            for by, query in (("id", _BY_ID), ("code", _BY_CODE)) for lock in (False, True)}


def id_or_code(ref: str) -> int | str:
    """A channel reference as its id (a string of up to 9 digits: an INTEGER column holds no more) or,
    otherwise, its code."""
    return int(ref) if ref.isdigit() and len(ref) < 10 else ref


def find_channel(uow: UnitOfWork, ref: int | str, *, lock: bool = False) -> dict[str, Any] | None:
    """The channel named by its id or its code (`id_or_code`), or None; `lock` locks the row until
    commit on PostgreSQL (SQLite's write transaction is exclusive already)."""
    key = ref if isinstance(ref, int) else id_or_code(ref)
    by_id = isinstance(key, int)
    query = _QUERIES["id" if by_id else "code", lock and uow.dialect == "postgresql"]
    row = uow.conn.execute(query, {"cid": key} if by_id else {"code": key}).mappings().first()
    return None if row is None else dict(row)


def channel_row(uow: UnitOfWork, channel_id: int, *, lock: bool = False) -> dict[str, Any]:
    row = find_channel(uow, channel_id, lock=lock)
    if row is None:
        raise NotFound(f"channel {channel_id} not found")
    return row
