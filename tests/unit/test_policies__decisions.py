"""Approval policies decide when a set of sibling tasks has reached a decision."""

from __future__ import annotations

from workflows.domain.tasks import policy_outcome


def test_all_of_waits_for_every_approval() -> None:
    assert policy_outcome("all", decision="approve", decisions=["approve", None, None], open_count=2) is None
    assert policy_outcome("all", decision="approve", decisions=["approve"] * 3, open_count=0) == "approve"


def test_all_of_rejects_on_the_first_rejection() -> None:
    assert policy_outcome("all", decision="reject", decisions=["approve", "reject", None], open_count=1) == "reject"


def test_request_changes_decides_at_once_under_every_policy() -> None:
    for policy in ("all", "any", 2):
        outcome = policy_outcome(policy, decision="request_changes", decisions=["request_changes", None],
                                 open_count=1)
        assert outcome == "request_changes"


def test_any_of_approves_on_the_first_approval_and_rejects_only_when_all_reject() -> None:
    assert policy_outcome("any", decision="approve", decisions=["approve", None], open_count=1) == "approve"
    assert policy_outcome("any", decision="reject", decisions=["reject", None], open_count=1) is None
    assert policy_outcome("any", decision="reject", decisions=["reject", "reject"], open_count=0) == "reject"


def test_two_of_three_approves_at_two_and_rejects_when_two_can_no_longer_be_reached() -> None:
    assert policy_outcome(2, decision="approve", decisions=["approve", None, None], open_count=2) is None
    assert policy_outcome(2, decision="approve", decisions=["approve", "approve", None], open_count=1) == "approve"
    assert policy_outcome(2, decision="reject", decisions=["reject", "reject", None], open_count=1) == "reject"


def test_checklist_tasks_are_done_when_every_item_is_done() -> None:
    assert policy_outcome("all", decision="done", decisions=["done", "done"], open_count=0) == "done"
