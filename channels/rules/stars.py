"""Monthly star rating, 1 to 5, from a channel's KPIs of the month.

Each KPI becomes a score from 0 to 100:
  attainment    min(actual / target, 120%) / 120%  * 100   (over-achievement counts up to 120%)
  satisfaction  value / 5 * 100 on the 0-5 scale (values <= 5), else the value (0-100 scale)
  on_time       the on-time fulfilment rate in percent
  returns       100 - 5 * return rate in percent, at least 0  (20% returns score 0)
The score is the weighted mean (`star_weights`, default 0.5 / 0.2 / 0.15 / 0.15) of the KPIs that
were reported (a missing one drops out and the others are re-weighted). Stars: score >= the
`star_cutoffs` (default 90 / 75 / 60 / 45) give 5 / 4 / 3 / 2 stars, below that 1 star.
Activity is not rated: its unit (orders, active days) differs by channel type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from channels import tables as ct
from channels.thresholds import Thresholds
from workflows.domain.principals import SYSTEM
from workflows.persistence.uow import UnitOfWork
from workflows.services.records import audit


def components(record: Mapping[str, Any]) -> dict[str, float]:
    """The 0-100 score of each KPI the record has."""
    found: dict[str, float] = {}
    if record["sales_target"]:
        found["attainment"] = min(record["sales_actual"] / record["sales_target"], 1.2) / 1.2 * 100
    if record.get("satisfaction") is not None:
        value = float(record["satisfaction"])
        found["satisfaction"] = value / 5 * 100 if value <= 5 else value
    if record.get("on_time_rate") is not None:
        found["on_time"] = float(record["on_time_rate"])
    if record.get("return_rate") is not None:
        found["returns"] = max(0.0, 100 - 5 * float(record["return_rate"]))
    return found


def score(record: Mapping[str, Any], *, weights: Mapping[str, float]) -> float:
    parts = components(record)
    total = sum(weights[name] for name in parts)
    if total <= 0:
        return 0.0
    return round(sum(weights[name] * value for name, value in parts.items()) / total, 2)


def stars_for(value: float, *, cutoffs: list[float]) -> int:
    for stars, cutoff in zip((5, 4, 3, 2), cutoffs, strict=True):
        if value >= cutoff:
            return stars
    return 1


def rate_month(uow: UnitOfWork, *, month: str, limits: Thresholds, now: datetime) -> Counter[str]:
    """Rate every channel that reported `month`; a channel's `stars` show its latest rated month."""
    k, s = ct.kpi_records.c, ct.star_ratings.c
    stored = {int(r["channel_id"]): dict(r) for r in uow.conn.execute(
        select(ct.star_ratings).where(s.period == month)).mappings()}
    latest: dict[int, str] = {int(cid): str(p) for cid, p in uow.conn.execute(
        select(s.channel_id, func.max(s.period)).group_by(s.channel_id))}
    counts: Counter[str] = Counter()
    new_rows = []
    for record in uow.conn.execute(select(ct.kpi_records).where(k.period == month)).mappings():
        cid = int(record["channel_id"])
        value = score(dict(record), weights=limits.star_weights)
        stars = stars_for(value, cutoffs=limits.star_cutoffs)
        counts[f"{stars}_stars"] += 1
        old = stored.get(cid)
        if old is None:
            new_rows.append({"channel_id": cid, "period": month, "stars": stars, "score": value, "rated_at": now})
        elif (old["stars"], old["score"]) != (stars, value):
            uow.conn.execute(update(ct.star_ratings).where(s.id == old["id"])
                             .values(stars=stars, score=value, rated_at=now))
        if latest.get(cid) is None or latest[cid] <= month:
            _show(uow, channel_id=cid, stars=stars, month=month, now=now)
    if new_rows:
        uow.conn.execute(insert(ct.star_ratings), new_rows)
    return counts


def _show(uow: UnitOfWork, *, channel_id: int, stars: int, month: str, now: datetime) -> None:
    c = ct.channels.c
    before = uow.conn.execute(select(c.stars).where(c.id == channel_id)).scalar()
    if before == stars:
        return
    uow.conn.execute(update(ct.channels).where(c.id == channel_id).values(stars=stars, updated_at=now))
    audit(uow, now=now, actor=SYSTEM, entity_type="channel", entity_id=channel_id, action="stars_changed",
          from_state=None if before is None else str(before), to_state=str(stars), data={"period": month})
