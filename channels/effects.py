"""Effects the shipped workflows name: they keep the channel registry in step with its instances.

Each runs inside the step's transaction (never commits), so a channel's stage or card changes
exactly when, and only if, the workflow step that causes it is committed.
"""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.sql import ColumnElement

from channels import tables as ct
from channels.activation import activate_in
from channels.links import active_instance_id, local_date
from channels.registry import insert_channel
from channels.rows import channel_row
from workflows.engine.registry import Registry
from workflows.persistence import tables as t
from workflows.services.context import EffectContext
from workflows.services.instances import fire_in
from workflows.services.records import audit
from workflows.services.steps import lock_instance


def _channel_id(ctx: EffectContext) -> int | None:
    """The subject channel's id (the subject names it by id or by code), or None."""
    ref = ctx.subject_id if ctx.subject_type == "channel" else None
    if not ref:
        return None
    c = ct.channels.c
    condition = c.id == int(ref) if ref.isdigit() else c.code == ref
    found = ctx.uow.conn.execute(select(c.id).where(condition)).scalar()
    return None if found is None else int(found)


subject_channel_id = _channel_id


def activate_channel(ctx: EffectContext) -> None:
    """Onboarding approved: the channel becomes active and its `channel_lifecycle` instance starts
    in `introduction`. The subject names the channel by id or code; an unknown one is registered
    from the application (name, type, region; the applicant manages it)."""
    activate_in(ctx.services, ctx.uow, actor=ctx.actor, channel_id=_resolve(ctx), now=ctx.now,
                instance_id=ctx.instance_id, comment="onboarding approved")


def _resolve(ctx: EffectContext) -> int:
    found = _channel_id(ctx)
    if found is not None:
        return found
    ref = ctx.subject_id if ctx.subject_type == "channel" else None
    requester = ctx.uow.conn.execute(
        select(t.instances.c.requester_id).where(t.instances.c.id == ctx.instance_id)).scalar()
    code = str(ctx.data.get("channel_code") or (ref if ref and not ref.isdigit() else f"CH-{ctx.instance_id:06d}"))
    row = insert_channel(ctx.uow, actor=ctx.actor, now=ctx.now, comment=f"onboarding {ctx.instance_id}", values={
        "code": code, "name": ctx.data.get("channel_name") or code, "type": ctx.data.get("channel_type"),
        "region": str(ctx.data.get("region") or "").strip().lower(), "manager_id": requester,
        "contacts": ctx.data.get("contacts") or {}})
    return int(row["id"])


def sync_channel_stage(ctx: EffectContext) -> None:
    """A lifecycle state was entered: the channel's stage (and its date) follows; suggestions
    for that move are marked accepted; `exit` deactivates the channel."""
    channel_id = _channel_id(ctx)
    if channel_id is None:
        return
    channel = channel_row(ctx.uow, channel_id, lock=True)
    if channel["stage"] == ctx.state:
        return
    dates = {**channel["stage_dates"], ctx.state: local_date(ctx.services, ctx.now).isoformat()}
    values = {"stage": ctx.state, "stage_dates": dates, "updated_at": ctx.now}
    if ctx.state == "exit":
        values["active"] = False
    ctx.uow.conn.execute(update(ct.channels).where(ct.channels.c.id == channel_id).values(**values))
    audit(ctx.uow, now=ctx.now, actor=ctx.actor, entity_type="channel", entity_id=channel_id,
          action="stage_changed", instance_id=ctx.instance_id, from_state=channel["stage"], to_state=ctx.state)
    s = ct.lifecycle_suggestions.c
    ctx.uow.conn.execute(update(ct.lifecycle_suggestions).where(s.channel_id == channel_id, s.status == "open")
                         .values(status=_outcome_case(ctx.state)))


def _outcome_case(state: str) -> ColumnElement[str]:
    return case((ct.lifecycle_suggestions.c.to_stage == state, "accepted"), else_="declined")


def _set_card(ctx: EffectContext, card: str) -> None:
    channel_id = _channel_id(ctx)
    if channel_id is None:
        return
    channel = channel_row(ctx.uow, channel_id, lock=True)
    if channel["card"] == card:
        return
    ctx.uow.conn.execute(update(ct.channels).where(ct.channels.c.id == channel_id)
                         .values(card=card, updated_at=ctx.now))
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
