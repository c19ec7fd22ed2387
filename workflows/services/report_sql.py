"""SQL the reports share: a moment as seconds since the epoch.

Reading seconds straight from the database spares the reports a datetime object per row (the
`UTCDateTime` conversion dominated their time on a million audit rows).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, func


def epoch(column: Any, dialect: str) -> Any:
    """`column` (naive UTC, as `UTCDateTime` stores it) as float seconds since 1970-01-01 UTC."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return func.round((func.julianday(column) - 2440587.5) * 86400.0, 3)  # SQLite, to the millisecond



