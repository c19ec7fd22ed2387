"""The permission table itself: its important rules as sentences, and its rendering in the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.permissions import POLICY, RULES, ChannelAction, ChannelRef, MeetingRef
from workflows.domain.errors import PermissionDenied
from workflows.domain.permissions import Action, Named, TaskRef, UserRef, markdown
from workflows.domain.principals import SYSTEM, Actor

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ADMIN = Actor(id=1, login="admin", is_admin=True)
VIEWER = Actor(id=2, login="auditor", roles=frozenset({"viewer"}))
MANAGER = Actor(id=3, login="manager", roles=frozenset({"channel_manager"}))
REVIEWER = Actor(id=4, login="reviewer", groups=frozenset({"market"}))
COMMITTEE = Actor(id=5, login="chair", groups=frozenset({"committee"}))
WRITES = [name for name in POLICY.rules if not name.startswith("read_")]


def test_the_table_in_the_docs_is_the_table_in_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = text.split("<!-- permissions table -->\n", 1)[1].split("<!-- end of permissions table -->", 1)[0]
    assert documented == markdown(POLICY)


def test_a_requester_may_not_decide_their_own_request_even_as_a_member_of_the_group() -> None:
    own = TaskRef(assignee_id=None, candidate_group="market", not_by=REVIEWER.id)
    with pytest.raises(PermissionDenied, match="the requester may not decide on their own request"):
        POLICY.require(REVIEWER, Action.DECIDE_TASK, own)
    assert POLICY.allows(REVIEWER, Action.CLAIM_TASK, own)


def test_a_member_of_the_group_may_decide_an_unclaimed_task_but_not_one_claimed_by_someone_else() -> None:
    assert POLICY.allows(REVIEWER, Action.DECIDE_TASK, TaskRef(assignee_id=None, candidate_group="market"))
    assert not POLICY.allows(REVIEWER, Action.DECIDE_TASK, TaskRef(assignee_id=99, candidate_group="market"))


def test_an_admin_may_not_decide_a_task_of_a_group_they_are_not_in_but_may_release_it() -> None:
    claimed = TaskRef(assignee_id=REVIEWER.id, candidate_group="market")
    assert not POLICY.allows(ADMIN, Action.DECIDE_TASK, claimed)
    assert POLICY.allows(ADMIN, Action.RELEASE_TASK, claimed)


def test_a_viewer_may_read_everything_but_write_only_their_own_language_targets_sessions_and_profile() -> None:
    reads = [name for name in POLICY.rules if name.startswith("read_")]
    own = UserRef(VIEWER.id)
    assert [name for name in reads if not POLICY.allows(VIEWER, name, own)] == []
    assert [name for name in WRITES if POLICY.allows(VIEWER, name, own)] == [
        "set_language", "end_sessions", "manage_targets", "manage_delegations", "edit_profile",
        "change_password"]
    assert not POLICY.allows(VIEWER, Action.MANAGE_TARGETS, UserRef(MANAGER.id))
    assert not POLICY.allows(VIEWER, Action.END_SESSIONS, UserRef(MANAGER.id))
    assert not POLICY.allows(VIEWER, Action.EDIT_PROFILE, UserRef(MANAGER.id))
    assert not POLICY.allows(VIEWER, Action.CHANGE_PASSWORD, UserRef(MANAGER.id))


def test_system_may_do_whatever_an_admin_may_except_choose_a_language() -> None:
    differ = [name for name in POLICY.rules if POLICY.allows(SYSTEM, name) != POLICY.allows(ADMIN, name)]
    assert differ == ["set_language"]
    assert POLICY.allows(SYSTEM, ChannelAction.EDIT_THRESHOLDS)
    assert POLICY.allows(SYSTEM, Action.MANAGE_USERS)


def test_system_never_decides_as_a_person() -> None:
    for action in (ChannelAction.DECIDE_MEETING_ITEM, ChannelAction.RECORD_ATTENDANCE, Action.SET_LANGUAGE):
        assert not POLICY.allows(SYSTEM, action)
    assert not POLICY.allows(SYSTEM, Action.DECIDE_TASK, TaskRef(assignee_id=None, candidate_group="market"))
    assert not POLICY.allows(SYSTEM, Action.DECIDE_TASK, TaskRef(assignee_id=None, candidate_group=None))


def test_system_fires_a_trigger_only_where_the_definition_names_it() -> None:
    assert POLICY.allows(SYSTEM, Action.FIRE_TRIGGER, Named(["system"]))
    assert not POLICY.allows(SYSTEM, Action.FIRE_TRIGGER, Named(["admin", "role:channel_manager"]))
    assert POLICY.allows(MANAGER, Action.FIRE_TRIGGER, Named(["admin", "role:channel_manager"]))


def test_a_channel_manager_may_change_only_the_channels_they_manage_and_may_not_hand_one_over() -> None:
    assert POLICY.allows(MANAGER, ChannelAction.CHANGE_CHANNEL, ChannelRef(manager_id=MANAGER.id))
    assert not POLICY.allows(MANAGER, ChannelAction.CHANGE_CHANNEL, ChannelRef(manager_id=ADMIN.id))
    assert not POLICY.allows(MANAGER, ChannelAction.ASSIGN_CHANNEL_MANAGER)
    assert not POLICY.allows(REVIEWER, ChannelAction.CHANGE_CHANNEL, ChannelRef(manager_id=REVIEWER.id))


def test_a_meeting_is_read_by_its_attendees_the_committee_and_auditors_but_decided_only_by_the_committee() -> None:
    market_meeting = MeetingRef(attendee_users=(), attendee_groups=("market",))
    readers = [a.login for a in (ADMIN, VIEWER, MANAGER, REVIEWER, COMMITTEE)
               if POLICY.allows(a, ChannelAction.READ_MEETING, market_meeting)]
    deciders = [a.login for a in (ADMIN, VIEWER, MANAGER, REVIEWER, COMMITTEE)
                if POLICY.allows(a, ChannelAction.DECIDE_MEETING_ITEM, market_meeting)]
    assert (readers, deciders) == (["admin", "auditor", "reviewer", "chair"], ["chair"])
    assert POLICY.allows(MANAGER, ChannelAction.READ_MEETING, MeetingRef(attendee_users=(3,)))


def test_a_refusal_names_what_was_refused() -> None:
    with pytest.raises(PermissionDenied, match="only an administrator may change the rule thresholds"):
        POLICY.require(MANAGER, ChannelAction.EDIT_THRESHOLDS)


def test_an_action_cannot_be_defined_twice_when_a_layer_extends_the_table() -> None:
    with pytest.raises(ValueError, match="read_channels"):
        POLICY.extended(RULES, {})
