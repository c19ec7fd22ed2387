"""Approval policies: when do the decisions on a set of sibling tasks decide the matter?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal


def policy_outcome(
    policy: Literal["all", "any"] | int, *, decision: str, decisions: Sequence[str | None], open_count: int
) -> str | None:
    """The decision the group has reached, or None while it is still open.

    `decisions` are those of every non-cancelled sibling (None for the open ones), including
    the decision just made. `request_changes` always decides at once.
    - all: any rejection rejects; approval needs every sibling to approve.
    - any: the first approval approves; rejection needs every sibling to reject.
    - N (N-of-M): N approvals approve; rejection once N approvals can no longer be reached.
    `done` counts as an approval (checklist tasks).
    """
    if decision == "request_changes":
        return "request_changes"
    approvals = sum(1 for d in decisions if d in ("approve", "done"))
    if policy == "all":
        if decision == "reject":
            return "reject"
        return decision if open_count == 0 else None
    needed = 1 if policy == "any" else policy
    if approvals >= needed:
        return "done" if decision == "done" else "approve"
    if approvals + open_count < needed:
        return "reject"
    return None
