"""The rules' thresholds: defaults here, an admin's changes in `rule_settings` (audited).

Every rule reads `load(uow)` at the start of its run, so a change applies from the next run on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import delete, insert, select

from channels import tables as ct
from channels.permissions import ChannelAction, require
from channels.tables import CHANNEL_TYPES
from workflows.domain.errors import InvalidInput, Problem
from workflows.domain.principals import Actor
from workflows.persistence.uow import UnitOfWork
from workflows.services.context import Services
from workflows.services.records import audit

STAR_WEIGHTS = {"attainment": 0.5, "satisfaction": 0.2, "on_time": 0.15, "returns": 0.15}
FREQUENCIES = ("monthly", "quarterly")


@dataclass(frozen=True)
class Thresholds:
    """What the rules compare against. Percentages are plain numbers: 20 means 20%."""

    attainment_pass_pct: float = 100.0  # a quarter is met at attainment >= this (exactly 100% is met)
    missed_quarters_for_yellow: int = 2  # consecutive missed quarters that bring a yellow card
    alarm_drop_pct: float = 20.0  # an alarm when sales fall by MORE than this against the previous month
    report_due_day: int = 10  # a month's report is late after this day of the following month
    star_cutoffs: list[float] = field(default_factory=lambda: [90.0, 75.0, 60.0, 45.0])  # 5, 4, 3, 2 stars
    star_weights: dict[str, float] = field(default_factory=lambda: dict(STAR_WEIGHTS))
    trend_quarters: int = 2  # quarters in a row that make a lifecycle trend
    growth_pct: float = 10.0  # quarter-on-quarter growth that counts as growing
    flat_pct: float = 5.0  # |growth| within this counts as flat; a fall beyond it counts as falling
    type_targets: dict[str, float] = field(default_factory=lambda: {
        "direct_store": 500_000.0, "agent": 300_000.0, "ecommerce": 400_000.0, "social": 100_000.0})
    # how often each channel type reports its KPIs: `monthly` (each month by `report_due_day` of the next) or
    # `quarterly` (a quarter's three months by `report_due_day` after the quarter); a type not named: monthly
    report_frequency: dict[str, str] = field(default_factory=lambda: {kind: "monthly" for kind in CHANNEL_TYPES})

    def frequency(self, channel_type: str | None) -> str:
        """`monthly` or `quarterly`: how often channels of `channel_type` report."""
        return self.report_frequency.get(channel_type or "", "monthly")


DEFAULTS = Thresholds()
KEYS = tuple(f.name for f in fields(Thresholds))


def load(uow: UnitOfWork) -> Thresholds:
    rows = uow.conn.execute(select(ct.rule_settings.c.key, ct.rule_settings.c.value)).all()
    stored = {row.key: row.value for row in rows if row.key in KEYS}
    return Thresholds(**{**asdict(DEFAULTS), **stored})


def get_thresholds(svc: Services) -> dict[str, Any]:
    with svc.uow(write=False) as uow:
        return asdict(load(uow))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def problems_in(values: Mapping[str, Any]) -> list[Problem]:
    """Every reason why `values` cannot be stored as thresholds."""
    found: list[Problem] = []
    for key, value in values.items():
        path = f"thresholds.{key}"
        if key not in KEYS:
            found.append(Problem(path, f"unknown threshold; known: {', '.join(KEYS)}"))
        elif key in ("missed_quarters_for_yellow", "trend_quarters"):
            if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 8):
                found.append(Problem(path, "must be a whole number from 1 to 8"))
        elif key == "report_due_day":
            if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 28):
                found.append(Problem(path, "must be a day of the month from 1 to 28"))
        elif key == "star_cutoffs":
            ok = isinstance(value, list) and len(value) == 4 and all(_number(v) for v in value)
            if not ok or sorted(value, reverse=True) != value or len(set(value)) != 4:
                found.append(Problem(path, "must be four scores, strictly falling (for 5, 4, 3 and 2 stars)"))
        elif key == "star_weights":
            ok = isinstance(value, dict) and set(value) == set(STAR_WEIGHTS) and all(
                _number(v) and v >= 0 for v in value.values())
            if not ok or sum(value.values()) <= 0:
                found.append(Problem(path, f"must give a weight >= 0 to each of {', '.join(STAR_WEIGHTS)}"))
        elif key == "type_targets":
            ok = isinstance(value, dict) and set(value) == set(CHANNEL_TYPES) and all(
                _number(v) and v > 0 for v in value.values())
            if not ok:
                found.append(Problem(path, f"must give a target > 0 to each of {', '.join(CHANNEL_TYPES)}"))
        elif key == "report_frequency":
            found += _frequency_problems(path, value)
        elif not _number(value) or not 0 <= value <= 1000:
            found.append(Problem(path, "must be a number from 0 to 1000"))
    return found


def _frequency_problems(path: str, value: Any) -> list[Problem]:
    if not isinstance(value, dict) or not value:
        return [Problem(path, f"must map channel types ({', '.join(CHANNEL_TYPES)}) to monthly or quarterly")]
    found = []
    for kind, frequency in value.items():
        if kind not in CHANNEL_TYPES:
            found.append(Problem(f"{path}.{kind}", f"unknown channel type; known: {', '.join(CHANNEL_TYPES)}"))
        elif frequency not in FREQUENCIES:
            found.append(Problem(f"{path}.{kind}", "must be monthly or quarterly"))
    return found


def update_thresholds(svc: Services, *, actor: Actor, values: Mapping[str, Any],
                      comment: str | None = None) -> dict[str, Any]:
    """Change some thresholds (admins only); each change is audited with its old and new value."""
    require(actor, ChannelAction.EDIT_THRESHOLDS)
    if problems := problems_in(values):
        raise InvalidInput("the thresholds are not valid", problems)
    now = svc.clock.now()
    with svc.uow() as uow:
        current = asdict(load(uow))
        for key, value in values.items():
            if current[key] == value:
                continue
            uow.conn.execute(delete(ct.rule_settings).where(ct.rule_settings.c.key == key))
            uow.conn.execute(insert(ct.rule_settings), {"key": key, "value": value, "updated_by": actor.login,
                                                        "updated_at": now})
            audit(uow, now=now, actor=actor, entity_type="rule_setting", entity_id=key, action="changed",
                  comment=comment, data={"from": current[key], "to": value})
        result = asdict(load(uow))
        uow.commit()
    return result
