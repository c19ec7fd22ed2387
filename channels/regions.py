"""What people call a sales region: 东区 / East rather than `east`. Pure, no I/O.

A region missing here is shown as its group is (`区域 <code>` / `Region <code>`, see
`workflows.domain.group_titles`).
"""

from __future__ import annotations

from workflows.domain.group_titles import REGIONS, group_title

TITLES = REGIONS  # the one table of region titles


def region_title(code: str, locale: str) -> str:
    """The title of region `code` in `locale` (`zh` or `en`)."""
    zh, en = TITLES.get(code) or group_title(f"region:{code}")
    return zh if locale == "zh" else en
