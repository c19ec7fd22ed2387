"""Durations as written in definitions: `3 working days`, `4 working hours`, `7 days`, `3 months`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

Unit = Literal["minutes", "hours", "days", "weeks", "months"]

_PATTERN = re.compile(
    r"^\s*(?P<amount>\d+)\s+(?P<working>working\s+)?"
    r"(?P<unit>minute|minutes|hour|hours|day|days|week|weeks|month|months)\s*$"
)
_CALENDAR_SPAN = {
    "minutes": timedelta(minutes=1),
    "hours": timedelta(hours=1),
    "days": timedelta(days=1),
    "weeks": timedelta(weeks=1),
}


class DurationError(ValueError):
    """A duration that cannot be read."""


@dataclass(frozen=True)
class Duration:
    """An amount of calendar time or of working time (business hours on working days)."""

    amount: int
    unit: Unit
    working: bool

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read `N [working] minutes|hours|days|weeks|months`.

        Raises:
            DurationError: the text is not a duration, or asks for working weeks/months.
        """
        match = _PATTERN.match(str(text))
        if not match:
            raise DurationError(
                f"bad duration {text!r}: expected e.g. '3 working days', '4 working hours', '7 days'"
            )
        unit = match["unit"] if match["unit"].endswith("s") else match["unit"] + "s"
        working = match["working"] is not None
        if working and unit in ("weeks", "months"):
            raise DurationError(f"bad duration {text!r}: working time is counted in minutes, hours or days")
        return cls(amount=int(match["amount"]), unit=unit, working=working)  # type: ignore[arg-type]

    def calendar_delta(self) -> timedelta:
        """The span in calendar time (not for months, which depend on the start date)."""
        return self.amount * _CALENDAR_SPAN[self.unit]

    def __str__(self) -> str:
        return f"{self.amount} {'working ' if self.working else ''}{self.unit}"
