"""Who may read the department and process reports: the rules are `READ_PROCESS_REPORT` and
`READ_COMPLIANCE` of the permission table (`workflows/domain/permissions.py`).

The SLA report is open to every signed-in user because it names no person. The process report
is the same kind of figure (per workflow, no person), so it follows the same rule. The compliance
report names people (its drill-down per person), so it is narrower: admins, the committee (role
or group), viewers (the auditors) read every group; anyone else reads only a group they belong to.
"""

from __future__ import annotations

from workflows.domain.permissions import Action, GroupRef, allows, require
from workflows.domain.principals import Actor


def compliance_groups(actor: Actor) -> frozenset[str] | None:
    """The groups whose compliance `actor` may read: None for every group."""
    if allows(actor, Action.READ_COMPLIANCE, GroupRef(None)):
        return None
    return frozenset(g for g in actor.groups if allows(actor, Action.READ_COMPLIANCE, GroupRef(g)))


def require_report_reader(actor: Actor, *, report: str, group: str | None = None) -> None:
    """Refuse `actor` unless they may read `report` (`process` or `compliance`) for `group`
    (None: every group).

    Raises:
        PermissionDenied: the actor may not read it.
    """
    if report == "process":
        require(actor, Action.READ_PROCESS_REPORT)
        return
    require(actor, Action.READ_COMPLIANCE, GroupRef(group))
