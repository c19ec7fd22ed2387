"""What the rules share: the quarter figures of channels, and isolating one channel's step."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from channels import periods
from channels import tables as ct
from workflows.domain.errors import ChannelOpsError
from workflows.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QuarterFigures:
    target: float
    actual: float
    months: int

    @property
    def attainment(self) -> float:
        """actual / target in percent, rounded to 4 decimals so that exactly 100% stays 100."""
        return round(self.actual / self.target * 100, 4) if self.target > 0 else 0.0


def quarter_figures(uow: UnitOfWork, *, quarters: list[str],
                    channel_ids: list[int] | None = None) -> dict[int, dict[str, QuarterFigures]]:
    """channel id -> quarter -> summed monthly target and actual (only months that were reported)."""
    month_to_quarter = {m: q for q in quarters for m in periods.months_of(q)}
    k = ct.kpi_records.c
    query = (select(k.channel_id, k.period, func.sum(k.sales_target), func.sum(k.sales_actual))
             .where(k.period.in_(list(month_to_quarter))).group_by(k.channel_id, k.period))
    if channel_ids is not None:
        query = query.where(k.channel_id.in_(channel_ids))
    sums: dict[int, dict[str, list[float]]] = {}
    for channel_id, month, target, actual in uow.conn.execute(query):
        entry = sums.setdefault(channel_id, {}).setdefault(month_to_quarter[month], [0.0, 0.0, 0])
        entry[0] += float(target)
        entry[1] += float(actual)
        entry[2] += 1
    return {cid: {q: QuarterFigures(target=v[0], actual=v[1], months=int(v[2])) for q, v in by_q.items()}
            for cid, by_q in sums.items()}


def isolated(uow: UnitOfWork, counts: Counter[str], label: str, step: Callable[[], str | None]) -> None:
    """Run one channel's step in a savepoint: a user-level error rolls back that step only."""
    try:
        with uow.savepoint():
            outcome = step()
    except ChannelOpsError as exc:
        counts["failed"] += 1
        log.warning("%s: %s", label, exc)
        return
    if outcome:
        counts[outcome] += 1
