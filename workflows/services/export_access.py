"""Who may export what: the same as who may read the data in the JSON API. One place for the rule.

- channels, KPI rows, card history, instances and the SLA report: every signed-in user;
- tasks: admins, auditors (`viewer`) and the committee every task; anyone else the tasks they
  could see in their inbox (assigned to them or open to one of their groups) or decided;
- the audit trail: admins and auditors all of it; anyone else one instance's trail at a time
  (`instance_id`), as `GET /instances/{id}/history` shows it to them;
- the department compliance and process reports: the committee, admins and auditors.
"""

from __future__ import annotations

from workflows.domain.errors import PermissionDenied
from workflows.domain.principals import Actor

EVERY_USER = frozenset({"channels", "kpis", "cards", "instances", "sla", "tasks"})  # tasks: narrowed, see above
OVERSEERS = frozenset({"compliance", "process"})


def is_auditor(actor: Actor) -> bool:
    return actor.is_admin or actor.is_system or "viewer" in actor.roles


def is_overseer(actor: Actor) -> bool:
    return is_auditor(actor) or "committee" in actor.roles or actor.in_group("committee")


def sees_every_task(actor: Actor) -> bool:
    return is_overseer(actor)


def require_export(actor: Actor, kind: str, *, instance_id: int | None = None) -> None:
    """Raise PermissionDenied unless `actor` may export `kind` (narrowed by `instance_id` for `audit`)."""
    if kind in EVERY_USER:
        return
    if kind == "audit" and (is_auditor(actor) or instance_id is not None):
        return
    if kind in OVERSEERS and is_overseer(actor):
        return
    if kind == "audit":
        raise PermissionDenied("only admins and auditors may export the whole audit trail; "
                               "give instance_id for one instance's history")
    raise PermissionDenied(f"you may not export {kind}")
