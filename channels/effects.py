"""Effects the shipped workflows name: they keep the channel registry in step with its instances.

Each runs inside the step's transaction (never commits), so a channel's stage or card changes
exactly when, and only if, the workflow step that causes it is committed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, update

from channels import tables as ct
from channels.activation import activate_in
from channels.links import active_instance_id, local_date
from channels.registry import insert_channel
from channels.rows import find_channel
from workflows.engine.registry import Registry
from workflows.services.context import EffectContext
from workflows.services.instances import fire_in
from workflows.services.records import audit
from workflows.services.steps import lock_instance


def _subject_channel(ctx: EffectContext, *, lock: bool = False) -> dict[str, Any] | None:
    """The subject channel's row (the subject names it by id or by code), or None."""
    ref = ctx.subject_id if ctx.subject_type == "channel" else None
    return find_channel(ctx.uow, ref, lock=lock) if ref else None


def _channel_id(ctx: EffectContext) -> int | None:
    """The subject channel's id, or None."""
    channel = _subject_channel(ctx)
    return None if channel is None else int(channel["id"])


subject_channel_id = _channel_id


def activate_channel(ctx: EffectContext) -> None:
    """Onboarding approved: the channel becomes active and its `channel_lifecycle` instance starts
    in `introduction`. The subject names the channel by id or code; an unknown one is registered
    from the application (name, type, region; the applicant manages it)."""
    channel, new = _resolve(ctx)
    activate_in(ctx.services, ctx.uow, actor=ctx.actor, channel_id=int(channel["id"]), now=ctx.now,
                instance_id=ctx.instance_id, comment="onboarding approved", channel=channel, new=new)


def _resolve(ctx: EffectContext) -> tuple[dict[str, Any], bool]:
    """The subject channel's row (locked), or the channel registered (active) from the application;
    and whether it was registered now."""
    found = _subject_channel(ctx, lock=True)
    if found is not None:
        return found, False
    ref = ctx.subject_id if ctx.subject_type == "channel" else None
    code = str(ctx.data.get("channel_code") or (ref if ref and not ref.isdigit() else f"CH-{ctx.instance_id:06d}"))
    return insert_channel(ctx.uow, actor=ctx.actor, now=ctx.now, comment=f"onboarding {ctx.instance_id}", values={
        "code": code, "name": ctx.data.get("channel_name") or code, "type": ctx.data.get("channel_type"),
        "region": str(ctx.data.get("region") or "").strip().lower(), "manager_id": ctx.requester_id,
        "contacts": ctx.data.get("contacts") or {}}, active=True), True


_SET_STAGE = (update(ct.channels).where(ct.channels.c.id == bindparam("cid"))
              .values(stage=bindparam("stage"), stage_dates=bindparam("stage_dates"), active=bindparam("active"),
                      updated_at=bindparam("now")))
_SETTLE_SUGGESTIONS = (update(ct.lifecycle_suggestions)
                       .where(ct.lifecycle_suggestions.c.channel_id == bindparam("cid"),
                              ct.lifecycle_suggestions.c.status == "open")
                       .values(status=case((ct.lifecycle_suggestions.c.to_stage == bindparam("stage"), "accepted"),
                                           else_="declined")))
_SET_CARD = (update(ct.channels).where(ct.channels.c.id == bindparam("cid"))
             .values(card=bindparam("card"), updated_at=bindparam("now")))


def sync_channel_stage(ctx: EffectContext) -> None:
    """A lifecycle state was entered: the channel's stage (and its date) follows; suggestions
    for that move are marked accepted; `exit` deactivates the channel."""
    channel = _subject_channel(ctx, lock=True)
    if channel is None or channel["stage"] == ctx.state:
        return
    channel_id = channel["id"]
    dates = {**channel["stage_dates"], ctx.state: local_date(ctx.services, ctx.now).isoformat()}
    ctx.uow.conn.execute(_SET_STAGE, {"cid": channel_id, "stage": ctx.state, "stage_dates": dates,
                                      "active": False if ctx.state == "exit" else channel["active"], "now": ctx.now})
    audit(ctx.uow, now=ctx.now, actor=ctx.actor, entity_type="channel", entity_id=channel_id,
          action="stage_changed", instance_id=ctx.instance_id, from_state=channel["stage"], to_state=ctx.state)
    ctx.uow.conn.execute(_SETTLE_SUGGESTIONS, {"cid": channel_id, "stage": ctx.state})


def _set_card(ctx: EffectContext, card: str) -> None:
    channel = _subject_channel(ctx, lock=True)
    if channel is None or channel["card"] == card:
        return
    channel_id = channel["id"]
    ctx.uow.conn.execute(_SET_CARD, {"cid": channel_id, "card": card, "now": ctx.now})
    audit(ctx.uow, now=ctx.now, actor=ctx.actor, entity_type="channel", entity_id=channel_id,
          action="card_changed", instance_id=ctx.instance_id, from_state=channel["card"], to_state=card)


def card_none(ctx: EffectContext) -> None:
    _set_card(ctx, "none")


def card_yellow(ctx: EffectContext) -> None:
    _set_card(ctx, "yellow")


def card_red(ctx: EffectContext) -> None:
    _set_card(ctx, "red")


def exit_channel(ctx: EffectContext) -> None:
    """Termination decided: the channel's lifecycle moves to `exit` (the committee has decided,
    so no second approval is asked for), which opens the exit checklist."""
    channel_id = _channel_id(ctx)
    if channel_id is None:
        return
    found = active_instance_id(ctx.uow, workflow="channel_lifecycle", channel_id=channel_id)
    if found is None:
        ctx.uow.conn.execute(update(ct.channels).where(ct.channels.c.id == channel_id)
                             .values(stage="exit", active=False, updated_at=ctx.now))
        audit(ctx.uow, now=ctx.now, actor=ctx.actor, entity_type="channel", entity_id=channel_id,
              action="stage_changed", instance_id=ctx.instance_id, to_state="exit", comment="terminated")
        return
    fire_in(ctx.services, ctx.uow, actor=ctx.actor, inst=lock_instance(ctx.uow, found), trigger="exit",
            internal=True, comment=f"terminated by card_escalation instance {ctx.instance_id}")


def register(registry: Registry[EffectContext]) -> None:
    """Name the channel effects in `registry` (called by the composition root)."""
    for name, effect in (("activate_channel", activate_channel), ("sync_channel_stage", sync_channel_stage),
                         ("card_none", card_none), ("card_yellow", card_yellow), ("card_red", card_red),
                         ("exit_channel", exit_channel)):
        registry.effect(name, effect)
