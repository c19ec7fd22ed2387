"""The audit trail of everything, newest first, a page at a time (`GET /audit`, the audit page).

Who may read it and the filters are those of the export (`exports.audit_table`): the whole trail
for `read_audit_trail` (admins, auditors), one instance's (`instance_id`) for anyone who may read
instances. Pages are cut by id (a keyset cursor), so a page costs the same deep in a large table
and rows written meanwhile never shift the next page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.export_access import require_export
from workflows.services.exports import audit_conditions
from workflows.services.views import AuditEntry, AuditPageView

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def audit_page(svc: Services, *, actor: Actor, instance_id: int | None = None, entity_type: str | None = None,
               entity_id: str | None = None, action: str | None = None, login: str | None = None,
               start: datetime | None = None, end: datetime | None = None, cursor: int | None = None,
               limit: int = DEFAULT_LIMIT) -> AuditPageView:
    """Up to `limit` (at most MAX_LIMIT) audit rows older than `cursor` (an entry id), newest first."""
    require_export(actor, "audit", instance_id=instance_id)
    limit = max(1, min(limit, MAX_LIMIT))
    e = t.audit_events.c
    conditions = audit_conditions(instance_id=instance_id, entity_type=entity_type, entity_id=entity_id,
                                  action=action, login=login, start=start, end=end)
    if cursor is not None:
        conditions.append(e.id < cursor)
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.audit_events).where(*conditions).order_by(e.id.desc())
                                .limit(limit + 1)).mappings().all()
    items = [AuditEntry.model_validate(dict(r)) for r in rows[:limit]]
    return AuditPageView(items=items, next_cursor=items[-1].id if len(rows) > limit else None, limit=limit)
