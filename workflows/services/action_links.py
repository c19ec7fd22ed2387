"""Decide from the message: signed, single-use, expiring links in a task's notifications.

When the outbox sends a task's notification (opened, reminder, overdue, escalated, approval
requested) to a target that belongs to a user who may decide the task, it issues one
`action_links` row for that notification and user, and the message carries one link per
decision the task offers plus an `open` link. A link is
``{public_url}/links/{token}``, where the token is the row id and the action, signed with the
app secret (itsdangerous, with the time it was signed). The row makes the link single-use and
revocable: a decision through any of the row's links marks it used.

Opening a link shows a confirmation page (signed in or not); the decision is posted with the
token and the page's CSRF token, and is made as the user the link was issued to, with the same
permission checks as in the inbox. A link stops working when it has been used, has expired, or
is revoked: the task was decided or closed, the user was deactivated, the task went to someone
else (claimed by another, escalated to a group the user is not in). The audit row of a decision
made through a link says so (`data.via = "link"`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import RowMapping, insert, select, update

from workflows.domain.errors import Conflict, NotFound
from workflows.domain.permissions import Action, allows
from workflows.domain.principals import Actor
from workflows.domain.rows import Instance, Task
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services import tasks as task_service
from workflows.services.context import Services
from workflows.services.views import StepResult, View

SALT = "channelops.action-link"
TEMPLATES = frozenset({"task_opened", "task_reminder", "task_overdue", "task_escalated", "approval_requested"})
OPEN = "open"
LABELS = {
    "zh": {"approve": "通过", "reject": "驳回", "request_changes": "要求修改", "done": "完成", OPEN: "打开并填写意见"},
    "en": {"approve": "Approve", "reject": "Reject", "request_changes": "Request changes", "done": "Done",
           OPEN: "Open and comment"},
}
Reason = Literal["ok", "invalid", "used", "expired", "revoked", "closed", "deactivated", "reassigned", "not_allowed"]


class LinkRefused(Conflict):
    """A link that no longer decides anything; `reason` says why (the page explains it)."""

    title = "Link no longer valid"

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class IssuedLink:
    """One link of a notification: the action (a decision, or `open`), its label, its address."""

    action: str
    label: str
    url: str


class LinkView(View):
    """What a link's page shows: whose link, for which task, what it may still do, or why not."""

    link_id: int
    task_id: int
    instance_id: int
    user_id: int
    user_name: str
    user_locale: str
    action: str
    decisions: list[str]
    reason: Reason
    expires_at: datetime
    used_at: datetime | None
    used_action: str | None


def _serializer(svc: Services) -> URLSafeSerializer:
    return URLSafeSerializer(svc.link_secret, salt=SALT)


def token_for(svc: Services, *, link_id: int, action: str) -> str:
    return _serializer(svc).dumps({"l": link_id, "a": action})


def read_token(svc: Services, token: str) -> tuple[int, str]:
    """The link id and action a token names; LinkRefused("invalid") when it is not one we signed."""
    if not svc.link_secret or len(token) > 400:
        raise LinkRefused("invalid", "this link is not valid")
    try:
        value = _serializer(svc).loads(token)
    except BadSignature:
        raise LinkRefused("invalid", "this link is not valid") from None
    if not isinstance(value, dict) or not isinstance(value.get("l"), int) or not isinstance(value.get("a"), str):
        raise LinkRefused("invalid", "this link is not valid")
    return value["l"], value["a"]


def _user(uow: UnitOfWork, user_id: int) -> RowMapping | None:
    u = t.users.c
    return uow.conn.execute(select(u.id, u.login, u.display_name, u.groups, u.roles, u.is_admin, u.locale, u.active,
                                   u.session_epoch).where(u.id == user_id)).mappings().first()


def _actor(row: RowMapping) -> Actor:
    return Actor(id=row["id"], login=row["login"], groups=frozenset(row["groups"] or ()),
                 roles=frozenset(row["roles"] or ()), is_admin=bool(row["is_admin"]), locale=row["locale"],
                 session_epoch=row["session_epoch"])


def issue(svc: Services, uow: UnitOfWork, *, outbox_id: int, template: str, payload: Mapping[str, Any],
          user_id: int, locale: str, now: datetime) -> tuple[IssuedLink, ...]:
    """The decision links of a task notification for `user_id` (none when they may not decide it).

    Called while the outbox claims the row, in its transaction; a retry reuses the row's links.
    """
    task_id = payload.get("task_id")
    if template not in TEMPLATES or not isinstance(task_id, int) or not svc.link_secret:
        return ()
    row = uow.conn.execute(select(t.tasks).where(t.tasks.c.id == task_id)).mappings().first()
    user = _user(uow, user_id)
    if row is None or user is None or not user["active"]:
        return ()
    task = Task.from_row(row)
    decisions = _decisions(svc, uow, task, _actor(user))
    if task.status != "open" or not decisions:
        return ()
    a = t.action_links.c
    link_id = uow.conn.execute(select(a.id).where(a.outbox_id == outbox_id, a.user_id == user_id)).scalar()
    if link_id is None:
        link_id = uow.conn.execute(insert(t.action_links).returning(a.id), {
            "task_id": task_id, "user_id": user_id, "outbox_id": outbox_id, "created_at": now,
            "expires_at": now + timedelta(hours=svc.link_hours)}).scalar_one()
    labels = LABELS.get(locale, LABELS["zh"])
    return tuple(IssuedLink(action=action, label=labels.get(action, action),
                         url=f"{svc.public_url}/links/{token_for(svc, link_id=link_id, action=action)}")
                 for action in [*decisions, OPEN])


def _decisions(svc: Services, uow: UnitOfWork, task: Task, actor: Actor) -> list[str]:
    """The decisions `actor` may make on `task` now (empty: none)."""
    inst_row = uow.conn.execute(select(t.instances).where(t.instances.c.id == task.instance_id)).mappings().first()
    if inst_row is None or task.status != "open":
        return []
    inst = Instance.from_row(inst_row)
    compiled = svc.compiled(uow.conn, inst.definition_id, inst.variant)
    not_by = task_service.not_by_of(compiled, task, inst)
    if not allows(actor, Action.DECIDE_TASK, task_service.task_ref(task, not_by=not_by)):
        return []
    return task_service.decisions_for(compiled, task)


def _state(svc: Services, uow: UnitOfWork, link: RowMapping, now: datetime
           ) -> tuple[Reason, RowMapping | None, list[str]]:
    """Whether the link still decides: its reason (ok or why not), its user, the decisions it offers."""
    user = _user(uow, link["user_id"])
    if link["used_at"] is not None:
        return "used", user, []
    if link["revoked_at"] is not None:
        return "revoked", user, []
    if link["expires_at"] <= now:
        return "expired", user, []
    row = uow.conn.execute(select(t.tasks).where(t.tasks.c.id == link["task_id"])).mappings().first()
    if row is None or row["status"] != "open":
        return "closed", user, []
    if user is None or not user["active"]:
        return "deactivated", user, []
    task = Task.from_row(row)
    if task.assignee_id not in (None, user["id"]) or (task.candidate_group is not None and task.assignee_id is None
                                                      and task.candidate_group not in (user["groups"] or ())):
        return "reassigned", user, []
    decisions = _decisions(svc, uow, task, _actor(user))
    return ("ok" if decisions else "not_allowed"), user, decisions


def _link(uow: UnitOfWork, link_id: int, *, lock: bool = False) -> RowMapping:
    query = select(t.action_links, t.tasks.c.instance_id).join(t.tasks, t.tasks.c.id == t.action_links.c.task_id) \
        .where(t.action_links.c.id == link_id)
    if lock and uow.dialect == "postgresql":
        query = query.with_for_update(of=t.action_links)
    row = uow.conn.execute(query).mappings().first()
    if row is None:
        raise LinkRefused("invalid", "this link is not valid")
    return row


def open_link(svc: Services, *, token: str) -> LinkView:
    """What the link's page shows. LinkRefused("invalid") for a token we did not sign or a missing row."""
    link_id, action = read_token(svc, token)
    with svc.uow(write=False) as uow:
        link = _link(uow, link_id)
        reason, user, decisions = _state(svc, uow, link, svc.clock.now())
    return LinkView(link_id=link_id, task_id=link["task_id"], instance_id=link["instance_id"],
                    user_id=link["user_id"], user_name=(user["display_name"] or user["login"]) if user else "—",
                    user_locale=user["locale"] if user else "zh", action=action, decisions=decisions,
                    reason=reason, expires_at=link["expires_at"], used_at=link["used_at"],
                    used_action=link["used_action"])


def decide(svc: Services, *, token: str, decision: str, comment: str | None) -> StepResult:
    """Decide the link's task as the link's user, and use the link up, in one transaction.

    Raises:
        LinkRefused: the link is not valid, used, expired, revoked or no longer the user's to decide.
        InvalidInput: a decision the task does not offer.
    """
    link_id, _ = read_token(svc, token)
    now = svc.clock.now()
    with svc.uow() as uow:
        first = _link(uow, link_id)
        task, inst = task_service.locked(uow, first["task_id"])  # the instance first, as every step does
        link = _link(uow, link_id, lock=True)
        reason, user, _ = _state(svc, uow, link, now)
        if reason != "ok" or user is None:
            raise LinkRefused(reason, f"this link can no longer decide task {link['task_id']}: {reason}")
        actor = _actor(user)
        used = uow.conn.execute(update(t.action_links).where(t.action_links.c.id == link_id,
                                                             t.action_links.c.used_at.is_(None))
                                .values(used_at=now, used_action=decision)).rowcount
        if used != 1:
            raise LinkRefused("used", "this link has been used already")
        result = task_service.complete_in(svc, uow, actor=actor, task=task, inst=inst, decision=decision,
                                          comment=comment, via={"via": "link", "link": link_id})
        uow.commit()
        return result


def revoke(svc: Services, *, task_id: int, reason: str) -> int:
    """Revoke every unused link of a task (e.g. when it is handed to someone else); returns how many."""
    now = svc.clock.now()
    a = t.action_links.c
    with svc.uow() as uow:
        if uow.conn.execute(select(t.tasks.c.id).where(t.tasks.c.id == task_id)).first() is None:
            raise NotFound(f"task {task_id} not found")
        count = uow.conn.execute(update(t.action_links).where(a.task_id == task_id, a.used_at.is_(None),
                                                              a.revoked_at.is_(None))
                                 .values(revoked_at=now, revoked_reason=reason[:40])).rowcount
        uow.commit()
    return int(count)
