"""Who may read the department and process reports: the one rule, in one place.

The SLA report is open to every signed-in user because it names no person. The process report
is the same kind of figure (per workflow, no person), so it follows the same rule. The compliance
report names people (its drill-down per person), so it is narrower: admins, the committee (role
or group), viewers (the auditors) read every group; anyone else reads only a group they belong to.
"""

from __future__ import annotations

from workflows.domain.errors import PermissionDenied
from workflows.domain.principals import Actor

ALL_GROUP_READERS = frozenset({"committee", "viewer"})  # roles that read the compliance of every group


def compliance_groups(actor: Actor) -> frozenset[str] | None:
    """The groups whose compliance `actor` may read: None for every group. THE rule."""
    if actor.is_admin or actor.is_system or actor.roles & ALL_GROUP_READERS or actor.in_group("committee"):
        return None
    return frozenset(actor.groups)


def require_report_reader(actor: Actor, *, report: str, group: str | None = None) -> None:
    """Refuse `actor` unless they may read `report` (`process` or `compliance`) for `group`
    (None: every group).

    Raises:
        PermissionDenied: the actor may not read it.
    """
    if report == "process":
        return
    allowed = compliance_groups(actor)
    if allowed is None or (group is not None and group in allowed):
        return
    if group is None:
        raise PermissionDenied("the compliance of every group is for admins, the committee and viewers; "
                               "ask for your own group with group=...")
    raise PermissionDenied(f"you may read the compliance of your own groups only, not of {group!r}")
