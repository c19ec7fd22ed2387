"""Inbox cards about channels: the channel's name, type and region by title, in one query per page.

The engine's inbox (`workflows.services.inbox`) knows subjects only as `subject_type` and
`subject_id`; this module names the channel ones, turns the `channel_type` and `region` card
fields into titles, and builds the filters (a type, a region) and the sort key (the name).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, select

from channels import tables as ct
from workflows.domain.group_titles import REGIONS
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.views import CardValue, TaskView

TYPE_TITLES: dict[str, tuple[str, str]] = {
    "direct_store": ("直营店", "Direct store"),
    "agent": ("代理商", "Agent / distributor"),
    "ecommerce": ("电商", "E-commerce"),
    "social": ("社交电商", "Social commerce"),
}
REGION_TITLES = REGIONS  # one table of region titles: workflows.domain.group_titles


def type_title(code: str) -> tuple[str, str]:
    return TYPE_TITLES.get(code, (code, code))


def region_title(code: str) -> tuple[str, str]:
    return REGION_TITLES.get(code, (code, code))


def channel_subjects(*, channel_type: str | None = None, region: str | None = None) -> Select[Any] | None:
    """The subject ids of the channels of `channel_type` in `region` (None: no narrowing)."""
    if not channel_type and not region:
        return None
    c = ct.channels.c
    query = select(cast(c.id, String))
    if channel_type:
        query = query.where(c.type == channel_type)
    if region:
        query = query.where(c.region == region)
    return query


def subject_name_order() -> ColumnElement[Any]:
    """A channel instance's channel name, as a sort key (other subjects: NULL, sorted last)."""
    c = ct.channels.c
    return (select(c.name).where(cast(c.id, String) == t.instances.c.subject_id,
                                 t.instances.c.subject_type == "channel")
            .correlate(t.instances).scalar_subquery())


def named(svc: Services, items: list[TaskView]) -> list[TaskView]:
    """`items` with their channels named (name, type, region), read in one query."""
    ids = sorted({int(v.context.subject_id) for v in items if v.context is not None and v.context.subject_type ==
                  "channel" and v.context.subject_id and v.context.subject_id.isdigit()
                  and len(v.context.subject_id) < 12})
    channels: dict[int, Any] = {}
    if ids:
        c = ct.channels.c
        with svc.uow(write=False) as uow:
            channels = {r.id: r for r in uow.conn.execute(select(c.id, c.name, c.code, c.type, c.region)
                                                          .where(c.id.in_(ids)))}
    return [_named(v, channels) for v in items]


def _named(view: TaskView, channels: dict[int, Any]) -> TaskView:
    ctx = view.context
    if ctx is None:
        return view
    row = channels.get(int(ctx.subject_id)) if ctx.subject_type == "channel" and ctx.subject_id and \
        ctx.subject_id.isdigit() and len(ctx.subject_id) < 12 else None
    fields = [_titled(f) for f in ctx.fields]
    if row is not None:  # what the subject line already says is not repeated
        shown = {"channel_name": row.name, "channel_type": row.type, "region": row.region}
        fields = [f for f in fields if shown.get(f.name, object()) != f.value]
    update: dict[str, Any] = {"fields": fields}
    if row is not None:
        update["subject_name"] = row.name
        update["subject_facts"] = [_fact("channel_type", ("类型", "Type"), row.type, type_title(row.type)),
                                   _fact("region", ("区域", "Region"), row.region, region_title(row.region))]
    return view.model_copy(update={"context": ctx.model_copy(update=update)})


def _fact(name: str, title: tuple[str, str], value: str, titles: tuple[str, str]) -> CardValue:
    return CardValue(name=name, title_zh=title[0], title_en=title[1], value=value, value_zh=titles[0],
                     value_en=titles[1])


def _titled(field: CardValue) -> CardValue:
    """A `channel_type` or `region` field shows the value's title."""
    if not isinstance(field.value, str):
        return field
    if field.name == "channel_type":
        zh, en = type_title(field.value)
        label = ("渠道类型", "Channel type")
    elif field.name == "region":
        zh, en = region_title(field.value)
        label = ("区域", "Region")
    else:
        return field
    update = {"value_zh": zh, "value_en": en}
    if field.title_en == field.name:  # the definition gave the field no title
        update |= {"title_zh": label[0], "title_en": label[1]}
    return field.model_copy(update=update)
