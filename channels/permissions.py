"""Who may do what with channels, KPIs, rules and meetings: the engine's table, extended.

`POLICY` here is the whole table (the engine's actions and these); the API and the web UI ask
it. The relations this layer adds: a channel's manager, a meeting's attendee, the committee.
The rules and `system`'s place in them: `workflows/domain/permissions.py`, docs/permissions.md.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from workflows.domain import permissions as engine
from workflows.domain.permissions import ADMIN, OPERATOR, READER, SYSTEM, Grant, Rule, role
from workflows.domain.principals import Actor


@dataclass(frozen=True)
class ChannelRef:
    """The facts about a channel that permissions read."""

    manager_id: int | None


@dataclass(frozen=True)
class MeetingRef:
    """Who a meeting invites, by user id and by group."""

    attendee_users: Collection[int] = field(default_factory=tuple)
    attendee_groups: Collection[str] = field(default_factory=tuple)


def _manages(actor: Actor, obj: object) -> bool:
    return (isinstance(obj, ChannelRef) and "channel_manager" in actor.roles and actor.id is not None
            and obj.manager_id == actor.id)


def _attends(actor: Actor, obj: object) -> bool:
    if not isinstance(obj, MeetingRef):
        return False
    return (actor.id is not None and actor.id in obj.attendee_users) or bool(actor.groups & set(obj.attendee_groups))


CHANNEL_MANAGER = role("channel_manager")
MANAGER_OF_CHANNEL = Grant("the channel's manager (with role channel_manager)", _manages)
COMMITTEE = Grant("the committee (group or role)", lambda actor, _: actor.in_group("committee")
                  or "committee" in actor.roles)
VIEWER = role("viewer")
ATTENDEE = Grant("the meeting's attendees (user or group)", _attends)


class ChannelAction(StrEnum):
    READ_CHANNELS = "read_channels"
    REGISTER_CHANNEL = "register_channel"
    REGISTER_ACTIVE_CHANNEL = "register_active_channel"
    CHANGE_CHANNEL = "change_channel"
    ASSIGN_CHANNEL_MANAGER = "assign_channel_manager"
    REPORT_KPIS = "report_kpis"
    REPORT_CHANNEL_KPIS = "report_channel_kpis"
    RUN_KPI_RULES = "run_kpi_rules"
    READ_KPI_RESULTS = "read_kpi_results"
    EDIT_THRESHOLDS = "edit_thresholds"
    READ_MEETING_LIST = "read_meeting_list"
    READ_MEETING = "read_meeting"
    ORGANISE_MEETINGS = "organise_meetings"
    DECIDE_MEETING_ITEM = "decide_meeting_item"
    RECORD_ATTENDANCE = "record_attendance"


RULES: dict[str, Rule] = {
    ChannelAction.READ_CHANNELS: Rule("list and read channels and the rule thresholds", READER),
    ChannelAction.REGISTER_CHANNEL: Rule("register a channel (pending onboarding)", (*OPERATOR, CHANNEL_MANAGER)),
    ChannelAction.REGISTER_ACTIVE_CHANNEL: Rule("register a channel that already operates", OPERATOR),
    ChannelAction.CHANGE_CHANNEL: Rule("change a channel's registry fields", (*OPERATOR, MANAGER_OF_CHANNEL)),
    ChannelAction.ASSIGN_CHANNEL_MANAGER: Rule("name or change a channel's manager", OPERATOR),
    ChannelAction.REPORT_KPIS: Rule("report KPI rows or import a KPI file", (*OPERATOR, CHANNEL_MANAGER)),
    ChannelAction.REPORT_CHANNEL_KPIS: Rule("report one channel's KPIs (each row)", (*OPERATOR, MANAGER_OF_CHANNEL)),
    ChannelAction.RUN_KPI_RULES: Rule("run the KPI rules of a period", OPERATOR),
    ChannelAction.READ_KPI_RESULTS: Rule("read alarms, stars, suggestions, report flags", READER),
    ChannelAction.EDIT_THRESHOLDS: Rule("change the rule thresholds", OPERATOR),
    ChannelAction.READ_MEETING_LIST: Rule("list the meetings one may read (each as `read_meeting` says)", READER),
    ChannelAction.READ_MEETING: Rule("read a meeting, its agenda and minutes",
                                     (SYSTEM, ADMIN, COMMITTEE, VIEWER, ATTENDEE)),
    ChannelAction.ORGANISE_MEETINGS: Rule("set up and change meetings, prepare agendas", (*OPERATOR, COMMITTEE)),
    ChannelAction.DECIDE_MEETING_ITEM: Rule("record the decision on an agenda item", (COMMITTEE,)),
    ChannelAction.RECORD_ATTENDANCE: Rule("record who attended a meeting", (COMMITTEE,)),
}
MESSAGES: dict[str, str] = {
    ChannelAction.REGISTER_CHANNEL: "only administrators and channel managers may register channels",
    ChannelAction.REGISTER_ACTIVE_CHANNEL: "only an administrator may register a channel as already active",
    ChannelAction.CHANGE_CHANNEL: "only an administrator or the channel's manager may change a channel",
    ChannelAction.ASSIGN_CHANNEL_MANAGER: "only an administrator may hand a channel to another manager",
    ChannelAction.REPORT_KPIS: "only administrators and channel managers may report KPIs",
    ChannelAction.REPORT_CHANNEL_KPIS: "you do not manage this channel",
    ChannelAction.RUN_KPI_RULES: "only an administrator may run the KPI rules",
    ChannelAction.EDIT_THRESHOLDS: "only an administrator may change the rule thresholds",
    ChannelAction.READ_MEETING: "only the attendees of a meeting, the committee, auditors and admins may read it",
    ChannelAction.ORGANISE_MEETINGS: "only the committee or an admin may organise meetings",
    ChannelAction.DECIDE_MEETING_ITEM: "only committee members may record a meeting's decisions",
    ChannelAction.RECORD_ATTENDANCE: "only committee members may record attendance",
}
POLICY = engine.POLICY.extended(RULES, MESSAGES)


def allows(actor: Actor, action: str, obj: object = None) -> bool:
    """May `actor` do `action` (an engine `Action` or a `ChannelAction`) on `obj`?"""
    return POLICY.allows(actor, action, obj)


def require(actor: Actor, action: str, obj: object = None, *, message: str | None = None) -> None:
    """Raise PermissionDenied (HTTP 403) unless `actor` may do `action` on `obj`."""
    POLICY.require(actor, action, obj, message=message)
