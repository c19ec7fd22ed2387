"""Who may do what: the engine's permission table, and the machinery any layer's table uses.

`allows(actor, action, obj)` answers "may this actor do this action (on this object)";
`require` raises `PermissionDenied`. A rule lists who may (`who`) and who never may
(`unless`, which wins over `who`). A grant is a role (`admin`, `system`, `role:R`, `group:G`,
any user) or a relation to the object (requester, assignee, the user themself, ...). A relation
is false when no object is given, so `allows(actor, action)` asks "without knowing the object".

`system` is the installation acting for its operator (the CLI without `--as`, timers, flows,
start-up). It holds every power an admin holds and no other, except where a workflow
definition names `system`; it never decides as a person (tasks, meeting items, attendance).
The table is rendered in docs/permissions.md (a test keeps the two equal). Channel actions
(`channels/permissions.py`) extend this table with `Policy.extended`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workflows.domain.errors import PermissionDenied
from workflows.domain.principals import Actor, any_match


@dataclass(frozen=True)
class Grant:
    """A kind of actor, or a relation of the actor to the object, that a rule names."""

    title: str
    test: Callable[[Actor, object], bool] = field(compare=False)
    refusal: str | None = field(default=None, compare=False)  # the message when it refuses, in `unless`

    def __call__(self, actor: Actor, obj: object) -> bool:
        return self.test(actor, obj)


@dataclass(frozen=True)
class Rule:
    """`covers`: what the action is, in a few words, for the rendered table."""

    covers: str
    who: tuple[Grant, ...]
    unless: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class TaskRef:
    """The facts about a task that permissions read; `not_by`: the user who asked for the decision."""

    assignee_id: int | None
    candidate_group: str | None
    not_by: int | None = None
    # Absence and delegation (workflows/services/delegations.py): whom the actor would decide for
    # (the absent user a substitute holds the task for), who stands in for the requester right now,
    # and who has already decided another task of the same review (in person or through a substitute).
    on_behalf_of: int | None = None
    requester_deputies: frozenset[int] = frozenset()
    decided: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Named:
    """The principals a definition names for a start or a transition, on an instance's facts."""

    principals: Sequence[str]
    requester_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UserRef:
    """A user account (or what a user owns): None is nobody's, e.g. a group's notification target."""

    user_id: int | None


@dataclass(frozen=True)
class GroupRef:
    """A group whose figures are read; None: every group at once."""

    group: str | None


def role(name: str) -> Grant:
    return Grant(f"role {name}", lambda actor, _: name in actor.roles)


def group(name: str) -> Grant:
    return Grant(f"group {name}", lambda actor, _: actor.in_group(name))


def _is_user(actor: Actor) -> bool:
    return not actor.is_system and actor.id is not None


SYSTEM = Grant("system", lambda actor, _: actor.is_system)
ADMIN = Grant("admin", lambda actor, _: actor.is_admin)
ANY_USER = Grant("any user", lambda actor, _: _is_user(actor))
NAMED = Grant("whom the definition names", lambda actor, obj: isinstance(obj, Named) and any_match(
    actor, obj.principals, requester_id=obj.requester_id, data=obj.data))
ASSIGNEE = Grant("the task's assignee", lambda actor, obj: isinstance(obj, TaskRef) and _is_user(actor)
                 and obj.assignee_id == actor.id)
CANDIDATE = Grant("a member of the task's group while unclaimed", lambda actor, obj: isinstance(obj, TaskRef)
                  and obj.assignee_id is None and obj.candidate_group is not None
                  and actor.in_group(obj.candidate_group))
REQUESTER = Grant("the requester of the decision", lambda actor, obj: isinstance(obj, TaskRef)
                  and _is_user(actor) and obj.not_by == actor.id,
                  refusal="the requester may not decide on their own request")
SELF = Grant("the user themself", lambda actor, obj: isinstance(obj, UserRef) and _is_user(actor)
             and obj.user_id == actor.id)

REQUESTER_DEPUTY = Grant(
    "a substitute of the requester, or one deciding on the requester's behalf",
    lambda actor, obj: isinstance(obj, TaskRef) and _is_user(actor) and obj.not_by is not None
    and (obj.on_behalf_of == obj.not_by or actor.id in obj.requester_deputies),
    refusal="a substitute may not decide on the request of the person they stand in for")
DECIDED = Grant(
    "one who already decided in the same review (in person or through a substitute)",
    lambda actor, obj: isinstance(obj, TaskRef) and _is_user(actor)
    and (actor.id in obj.decided or (obj.on_behalf_of is not None and obj.on_behalf_of in obj.decided)),
    refusal="nobody decides twice in one review: you, or the person you stand in for, already decided "
            "another of its tasks")
LEAD = Grant("a lead of the task's group (role lead and a member of the group)",
             lambda actor, obj: isinstance(obj, TaskRef) and _is_user(actor) and "lead" in actor.roles
             and obj.candidate_group is not None and actor.in_group(obj.candidate_group))

MEMBER = Grant("a member of the group (object: one group)", lambda actor, obj: isinstance(obj, GroupRef)
               and obj.group is not None and actor.in_group(obj.group))

READER = (SYSTEM, ADMIN, ANY_USER)
OPERATOR = (SYSTEM, ADMIN)


class Action(StrEnum):
    READ_WORKFLOWS = "read_workflows"
    VALIDATE_DEFINITION = "validate_definition"
    PUBLISH_DEFINITION = "publish_definition"
    START_INSTANCE = "start_instance"
    READ_INSTANCES = "read_instances"
    FIRE_TRIGGER = "fire_trigger"
    READ_TASKS = "read_tasks"
    CLAIM_TASK = "claim_task"
    DECIDE_TASK = "decide_task"
    RELEASE_TASK = "release_task"
    READ_REPORTS = "read_reports"
    READ_CALENDAR = "read_calendar"
    MANAGE_CALENDAR = "manage_calendar"
    READ_USER = "read_user"
    MANAGE_USERS = "manage_users"
    SET_LANGUAGE = "set_language"
    END_SESSIONS = "end_sessions"
    MANAGE_TARGETS = "manage_targets"
    MANAGE_OUTBOX = "manage_outbox"
    READ_PROCESS_REPORT = "read_process_report"
    READ_ALL_TASKS = "read_all_tasks"
    READ_AUDIT_TRAIL = "read_audit_trail"
    READ_COMPLIANCE = "read_compliance"
    MANAGE_DELEGATIONS = "manage_delegations"
    ASSIGN_TASK = "assign_task"
    MIGRATE_INSTANCES = "migrate_instances"
    SET_FOLLOW_UP = "set_follow_up"
    EDIT_PROFILE = "edit_profile"
    CHANGE_PASSWORD = "change_password"
    RESET_PASSWORD = "reset_password"
    READ_GROUPS = "read_groups"
    MANAGE_GROUPS = "manage_groups"


RULES: dict[str, Rule] = {
    Action.READ_WORKFLOWS: Rule("list workflows, read definitions, versions, diagrams", READER),
    Action.VALIDATE_DEFINITION: Rule("check a definition without publishing it", OPERATOR),
    Action.PUBLISH_DEFINITION: Rule("publish a new version of a workflow", OPERATOR),
    Action.START_INSTANCE: Rule("start an instance (object: the definition's `start`)", (NAMED,)),
    Action.READ_INSTANCES: Rule("list and read instances, their history and diagram", READER),
    Action.FIRE_TRIGGER: Rule("fire a trigger (object: the transition's `allowed`)", (NAMED,)),
    Action.READ_TASKS: Rule("read the inbox and tasks", READER),
    Action.CLAIM_TASK: Rule("take an open group task", (CANDIDATE, ASSIGNEE)),
    Action.DECIDE_TASK: Rule("complete a task with a decision", (CANDIDATE, ASSIGNEE),
                             unless=(REQUESTER, REQUESTER_DEPUTY, DECIDED)),
    Action.RELEASE_TASK: Rule("give a claimed task back to its group", (*OPERATOR, ASSIGNEE)),
    Action.READ_REPORTS: Rule("read SLA reports", READER),
    Action.READ_CALENDAR: Rule("read the company calendar and its coverage", READER),
    Action.MANAGE_CALENDAR: Rule("add and remove holidays and make-up working days", OPERATOR),
    Action.READ_USER: Rule("read a user's record", (*OPERATOR, SELF)),
    Action.MANAGE_USERS: Rule("list, add, change, deactivate and reactivate users (groups, roles, e-mail); "
                              "issue and revoke API tokens", OPERATOR),
    Action.SET_LANGUAGE: Rule("choose one's own language", (ANY_USER,)),
    Action.END_SESSIONS: Rule("log a user out everywhere, or change their password (object: the user)",
                              (*OPERATOR, SELF)),
    Action.MANAGE_TARGETS: Rule("manage and test notification targets, set notification preferences (object: their "
                                "owner; a group's is nobody's)", (*OPERATOR, SELF)),
    Action.MANAGE_OUTBOX: Rule("list the outbox and requeue dead notifications", OPERATOR),
    Action.READ_ALL_TASKS: Rule("see (and export) every task, not only one's own and one's groups'",
                                (*OPERATOR, role("viewer"), role("committee"), group("committee"))),
    Action.READ_AUDIT_TRAIL: Rule("read (and export) the whole audit trail, not one instance's history",
                                  (*OPERATOR, role("viewer"))),
    Action.READ_PROCESS_REPORT: Rule("read process analytics (per workflow, names no person)", READER),
    Action.READ_COMPLIANCE: Rule("read department compliance with its per-person drill-down (object: the group, "
                                 "or every group)", (*OPERATOR, role("committee"), role("viewer"),
                                                     group("committee"), MEMBER)),
    Action.MANAGE_DELEGATIONS: Rule("record, list and end absences with a substitute, hand over their tasks "
                                    "(object: the absent user)", (*OPERATOR, SELF)),
    Action.ASSIGN_TASK: Rule("assign an open task to a named member of its group", (*OPERATOR, LEAD)),
    Action.MIGRATE_INSTANCES: Rule("move running instances to another version of their workflow (dry run or real)",
                                   OPERATOR),
    Action.SET_FOLLOW_UP: Rule("set or clear a task's follow-up date (object: the task)", (ASSIGNEE,)),
    Action.EDIT_PROFILE: Rule("change a user's display name and language (object: the user)", (*OPERATOR, SELF)),
    Action.CHANGE_PASSWORD: Rule("change one's own password, giving the old one (object: the user)", (SELF,)),
    Action.RESET_PASSWORD: Rule("set a user's password without the old one, ending their sessions", OPERATOR),
    Action.READ_GROUPS: Rule("list the groups and their titles", READER),
    Action.MANAGE_GROUPS: Rule("create groups, change their titles, deactivate and reactivate them", OPERATOR),
}
MESSAGES: dict[str, str] = {
    Action.VALIDATE_DEFINITION: "only an admin may validate workflow definitions",
    Action.PUBLISH_DEFINITION: "only an admin may publish workflow definitions",
    Action.START_INSTANCE: "you may not start an instance of this workflow",
    Action.FIRE_TRIGGER: "you may not fire this trigger on this instance",
    Action.CLAIM_TASK: "this task is for another group or assigned to someone else",
    Action.DECIDE_TASK: "this task is for another group or assigned to someone else",
    Action.RELEASE_TASK: "this task is not claimed by you",
    Action.MANAGE_CALENDAR: "only an admin may change the company calendar",
    Action.READ_USER: "only an admin may read another user's record",
    Action.MANAGE_USERS: "only an admin may manage users and tokens",
    Action.SET_LANGUAGE: "only a user has a language",
    Action.END_SESSIONS: "only an admin may end another user's sessions",
    Action.MANAGE_TARGETS: "only an admin may manage other people's or groups' notification targets",
    Action.MANAGE_OUTBOX: "only an admin may manage the outbox",
    Action.READ_ALL_TASKS: "only admins, auditors and the committee see every task",
    Action.READ_AUDIT_TRAIL: "only admins and auditors may read the whole audit trail; "
                             "give instance_id for one instance's history",
    Action.READ_PROCESS_REPORT: "only a signed-in user may read process analytics",
    Action.READ_COMPLIANCE: "the compliance of every group is for admins, the committee and viewers; "
                            "others read their own group's only (group=...)",
    Action.MANAGE_DELEGATIONS: "only an admin may record, list or end another user's absence",
    Action.ASSIGN_TASK: "only an admin or a lead of the task's group may assign it",
    Action.MIGRATE_INSTANCES: "only an admin may migrate running instances to another version",
    Action.SET_FOLLOW_UP: "only the task's assignee may set its follow-up date: claim the task first",
    Action.EDIT_PROFILE: "only an admin may change another user's profile",
    Action.CHANGE_PASSWORD: "only the user themself changes their password this way; an admin resets it",
    Action.RESET_PASSWORD: "only an admin may reset a password",
    Action.MANAGE_GROUPS: "only an admin may manage groups",
}


@dataclass(frozen=True)
class Policy:
    """A permission table: rules and refusal messages by action name."""

    rules: Mapping[str, Rule]
    messages: Mapping[str, str]

    def allows(self, actor: Actor, action: str, obj: object = None) -> bool:
        rule = self.rules[action]
        return not any(grant(actor, obj) for grant in rule.unless) and any(grant(actor, obj) for grant in rule.who)

    def require(self, actor: Actor, action: str, obj: object = None, *, message: str | None = None) -> None:
        """Raise PermissionDenied (HTTP 403) unless `actor` may do `action` on `obj`.

        The refusal says why: an `unless` grant's own message, else `message`, else the table's."""
        rule = self.rules[action]
        words = action.replace("_", " ")
        veto = next((grant for grant in rule.unless if grant(actor, obj)), None)
        if veto is not None:
            raise PermissionDenied(veto.refusal or f"{veto.title} may not {words}")
        if not any(grant(actor, obj) for grant in rule.who):
            raise PermissionDenied(message or self.messages.get(action) or f"you may not {words}")

    def extended(self, rules: Mapping[str, Rule], messages: Mapping[str, str]) -> Policy:
        """This table with another layer's actions added (an action is defined once)."""
        if clash := set(rules) & set(self.rules):
            raise ValueError(f"actions defined twice: {sorted(clash)}")
        return Policy(rules={**self.rules, **rules}, messages={**self.messages, **messages})


POLICY = Policy(rules=RULES, messages=MESSAGES)


def allows(actor: Actor, action: Action, obj: object = None) -> bool:
    return POLICY.allows(actor, action, obj)


def require(actor: Actor, action: Action, obj: object = None, *, message: str | None = None) -> None:
    POLICY.require(actor, action, obj, message=message)


def _cell(grant: Grant, rule: Rule) -> str:
    if grant in rule.who:
        return "yes"
    return "if named" if NAMED in rule.who else "no"


def markdown(policy: Policy, *, actions: Iterable[str] | None = None) -> str:
    """The table as Markdown: one row per action, what it covers, system, admin, who else, who never."""
    lines = ["| action | covers | system | admin | who else may | never |", "|---|---|---|---|---|---|"]
    for name in actions if actions is not None else policy.rules:
        rule = policy.rules[name]
        others = [g.title for g in rule.who if g not in (SYSTEM, ADMIN)]
        cells = [f"`{name}`", rule.covers, _cell(SYSTEM, rule), _cell(ADMIN, rule), ", ".join(others) or "—",
                 ", ".join(g.title for g in rule.unless) or "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
