"""Per-user notification preferences: mute everything, or choose by which kinds of target (e-mail,
DingTalk, Feishu, WeCom, webhook) each kind of message arrives.

A user without a row receives every message on every target. The outbox honours the preferences
when it resolves a recipient (`targets.targets_for`); a group's own targets (its chat robot) are
nobody's and are not filtered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from workflows.domain.errors import InvalidInput, NotFound, Problem
from workflows.domain.permissions import Action, UserRef, require
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit
from workflows.services.views import View

TARGET_KINDS = ("email", "dingtalk", "feishu", "wecom", "webhook")  # = targets.KINDS
# Kinds of message, each with the outbox templates it covers; every other template is "other".
MESSAGE_KINDS: dict[str, frozenset[str]] = {
    "task_assigned": frozenset({"task_opened", "approval_requested", "changes_requested", "approval_rejected"}),
    "reminder": frozenset({"task_reminder", "sla_warning", "kpi_report_missing"}),
    "overdue": frozenset({"task_overdue", "task_escalated", "sla_breached", "complaint_escalated"}),
    "meeting": frozenset({"meeting_agenda", "meeting_cancelled"}),
    "card_alarm": frozenset({"yellow_card_issued", "red_card_issued", "channel_terminated", "kpi_alarm"}),
    "other": frozenset(),
}


def message_kind(template: str | None) -> str:
    """The kind of message an outbox template is (`other` for any template not listed)."""
    return next((kind for kind, names in MESSAGE_KINDS.items() if template in names), "other")


class PreferencesView(View):
    """`channels`: for each kind of message, the target kinds that receive it (absent: every kind)."""

    user_id: int
    muted: bool
    channels: dict[str, list[str]]
    updated_at: datetime | None


def receives(pref: Mapping[str, Any] | None, *, template: str | None, kind: str) -> bool:
    """Whether a user's target of `kind` gets a message of `template`, by their preferences row."""
    if pref is None:
        return True
    if pref["muted"]:
        return False
    chosen = (pref["channels"] or {}).get(message_kind(template))
    return chosen is None or kind in chosen


def preferences_of(uow: UnitOfWork, user_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not user_ids:
        return {}
    c = t.notification_preferences.c
    rows = uow.conn.execute(select(t.notification_preferences).where(c.user_id.in_(list(user_ids)))).mappings()
    return {row["user_id"]: dict(row) for row in rows}


def _user_exists(uow: UnitOfWork, user_id: int) -> None:
    if uow.conn.execute(select(t.users.c.id).where(t.users.c.id == user_id)).first() is None:
        raise NotFound(f"user {user_id} not found")


def get_preferences(svc: Services, *, actor: Actor, user_id: int) -> PreferencesView:
    """A user's preferences (the user themself, or an admin)."""
    require(actor, Action.MANAGE_TARGETS, UserRef(user_id))
    with svc.uow(write=False) as uow:
        _user_exists(uow, user_id)
        row = preferences_of(uow, [user_id]).get(user_id)
    if row is None:
        return PreferencesView(user_id=user_id, muted=False, channels={}, updated_at=None)
    return PreferencesView(user_id=user_id, muted=row["muted"], channels=row["channels"] or {},
                           updated_at=row["updated_at"])


def _problems(channels: Mapping[str, Sequence[str]]) -> list[Problem]:
    problems = []
    for name, kinds in channels.items():
        if name not in MESSAGE_KINDS:
            problems.append(Problem(f"channels.{name}", f"unknown kind of message; one of {', '.join(MESSAGE_KINDS)}"))
            continue
        for index, kind in enumerate(kinds):
            if kind not in TARGET_KINDS:
                problems.append(Problem(f"channels.{name}[{index}]",
                                        f"unknown target kind {kind!r}; one of {', '.join(TARGET_KINDS)}"))
    return problems


def set_preferences(svc: Services, *, actor: Actor, user_id: int, muted: bool,
                    channels: Mapping[str, Sequence[str]]) -> PreferencesView:
    """Replace a user's preferences (the user themself, or an admin); audited.

    `channels` maps a kind of message to the target kinds that receive it; a kind left out gets all,
    an empty list none.

    Raises:
        PermissionDenied: someone else's, and not an admin. NotFound: no such user.
        InvalidInput: an unknown kind of message or target kind (at its field).
    """
    require(actor, Action.MANAGE_TARGETS, UserRef(user_id))
    problems = _problems(channels)
    if problems:
        raise InvalidInput("the notification preferences are not valid", problems)
    chosen = {name: sorted(set(kinds), key=TARGET_KINDS.index) for name, kinds in channels.items()}
    now = svc.clock.now()
    c = t.notification_preferences.c
    with svc.uow() as uow:
        _user_exists(uow, user_id)
        values = {"muted": muted, "channels": chosen, "updated_at": now}
        if uow.conn.execute(select(c.user_id).where(c.user_id == user_id)).first() is None:
            uow.conn.execute(insert(t.notification_preferences), {"user_id": user_id, **values})
        else:
            uow.conn.execute(update(t.notification_preferences).where(c.user_id == user_id).values(**values))
        audit(uow, now=now, actor=actor, entity_type="notification_preferences", entity_id=user_id,
              action="changed", data={"muted": muted, "channels": chosen})
        uow.commit()
    return PreferencesView(user_id=user_id, muted=muted, channels=chosen, updated_at=now)
