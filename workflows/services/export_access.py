"""Who may export what: exactly who may read the same data in the JSON API. The rules are those
of the permission table (`workflows/domain/permissions.py`, `channels/permissions.py`):

- instances and the SLA report: `read_instances`, `read_reports` (every signed-in user);
- tasks: every user (`read_tasks`), narrowed to the tasks they could see in their inbox (assigned
  to them or open to one of their groups) or decided, unless `read_all_tasks`;
- the audit trail: `read_audit_trail` for all of it; one instance's trail (`instance_id`) for anyone
  who may read instances, as `GET /instances/{id}/history` shows it;
- the process and compliance reports: `read_process_report`, `read_compliance` of every group;
- channels, KPI rows and card history: `read_channels` (checked in `channels/exports.py`).
"""

from __future__ import annotations

from workflows.domain.permissions import Action, GroupRef, allows, require
from workflows.domain.principals import Actor

KINDS = {"instances": Action.READ_INSTANCES, "sla": Action.READ_REPORTS, "tasks": Action.READ_TASKS,
         "process": Action.READ_PROCESS_REPORT}


def sees_every_task(actor: Actor) -> bool:
    return allows(actor, Action.READ_ALL_TASKS)


def require_export(actor: Actor, kind: str, *, instance_id: int | None = None) -> None:
    """Raise PermissionDenied unless `actor` may export `kind` (narrowed by `instance_id` for `audit`)."""
    if kind == "audit":
        require(actor, Action.READ_INSTANCES if instance_id is not None else Action.READ_AUDIT_TRAIL)
    elif kind == "compliance":
        require(actor, Action.READ_COMPLIANCE, GroupRef(None))
    else:
        require(actor, KINDS[kind])
