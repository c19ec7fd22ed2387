"""Exports of the channel pack as tables: channels, monthly KPI rows, card history.

Like `workflows.services.exports`: the right and the filters are checked at once, the rows stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select

from channels import periods
from channels import tables as ct
from channels.permissions import ChannelAction, require
from channels.registry import channel_filters
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.principals import Actor
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.exports import between
from workflows.services.tabular import Column, Table, streamed

CHANNEL_COLUMNS = (
    Column("code", "Code"), Column("name", "Name"), Column("type", "Type"), Column("region", "Region"),
    Column("manager", "Manager"), Column("stage", "Stage"), Column("stars", "Stars", "int"),
    Column("card", "Card"), Column("monthly_target", "Monthly target", "float"), Column("active", "Active", "bool"),
    Column("created_at", "Created", "datetime"), Column("updated_at", "Updated", "datetime"),
    Column("stage_dates", "Stage dates", "json"), Column("contacts", "Contacts", "json"),
)
KPI_COLUMNS = (
    Column("code", "Code"), Column("name", "Name"), Column("region", "Region"), Column("period", "Month"),
    Column("sales_target", "Sales target", "float"), Column("sales_actual", "Sales", "float"),
    Column("attainment", "Attainment (%)", "float"), Column("satisfaction", "Customer satisfaction", "float"),
    Column("on_time_rate", "On-time fulfilment (%)", "float"), Column("return_rate", "Return rate (%)", "float"),
    Column("activity", "Activity", "float"), Column("late", "Reported late", "bool"),
    Column("reported_at", "Reported", "datetime"), Column("reported_by", "Reported by"),
)
CARD_COLUMNS = (
    Column("at", "When", "datetime"), Column("code", "Code"), Column("name", "Name"), Column("from_state", "From"),
    Column("to_state", "To"), Column("instance_id", "Instance", "int"), Column("actor_login", "Who"),
    Column("comment", "Comment"),
)


def channels_table(svc: Services, *, actor: Actor, type: str | None = None, region: str | None = None,
                   stage: str | None = None, stars: int | None = None, card: str | None = None,
                   manager_id: int | None = None, q: str | None = None) -> Table:
    """The channel registry by code, filtered like `GET /channels`."""
    require(actor, ChannelAction.READ_CHANNELS)
    conditions = channel_filters(type=type, region=region, stage=stage, stars=stars, card=card,
                                 manager_id=manager_id, q=q)
    c = ct.channels.c
    query = (select(ct.channels, t.users.c.login.label("manager")).outerjoin(t.users, t.users.c.id == c.manager_id)
             .where(*conditions).order_by(c.code))
    return Table("channels", CHANNEL_COLUMNS, streamed(svc, query, columns=CHANNEL_COLUMNS))


def _months(since: str | None, until: str | None) -> None:
    problems = [Problem(name, "expected a month YYYY-MM") for name, value in (("from", since), ("to", until))
                if value is not None and not periods.is_month(value)]
    if problems:
        raise InvalidInput("bad period", problems)


def _attainment(row: Mapping[str, Any]) -> Mapping[str, Any]:
    target = row["sales_target"]
    return {**row, "attainment": round(row["sales_actual"] / target * 100, 2) if target else 0.0}


def kpis_table(svc: Services, *, actor: Actor, channel_id: int | None = None, region: str | None = None,
               since: str | None = None, until: str | None = None) -> Table:
    """Monthly KPI rows by channel code and month; `since` and `until` (YYYY-MM) are inclusive."""
    require(actor, ChannelAction.READ_CHANNELS)
    _months(since, until)
    k, c = ct.kpi_records.c, ct.channels.c
    conditions: list[ColumnElement[bool]] = [col == v for col, v in ((k.channel_id, channel_id), (c.region, region))
                                             if v is not None]
    conditions += [k.period >= since] if since else []
    conditions += [k.period <= until] if until else []
    query = (select(ct.kpi_records, c.code, c.name, c.region).join(ct.channels, c.id == k.channel_id)
             .where(*conditions).order_by(c.code, k.period))
    return Table("kpis", KPI_COLUMNS, streamed(svc, query, columns=KPI_COLUMNS, shape=_attainment))


def cards_table(svc: Services, *, actor: Actor, channel_id: int | None = None, start: datetime | None = None,
                end: datetime | None = None) -> Table:
    """Every yellow / red card given or taken back (the audit's `card_changed` rows), oldest first."""
    require(actor, ChannelAction.READ_CHANNELS)
    e, c = t.audit_events.c, ct.channels.c
    conditions = [e.entity_type == "channel", e.action == "card_changed", *between(e.at, start, end)]
    if channel_id is not None:
        conditions.append(e.entity_id == str(channel_id))
    query = (select(e.at, c.code, c.name, e.from_state, e.to_state, e.instance_id, e.actor_login, e.comment)
             .outerjoin(ct.channels, e.entity_id == c.id.cast(e.entity_id.type)).where(*conditions).order_by(e.id))
    return Table("cards", CARD_COLUMNS, streamed(svc, query, columns=CARD_COLUMNS))
