"""What people call a sales region: 华东 / East rather than `east`. Pure, no I/O.

A region missing here is shown as its group is (`区域 <code>` / `Region <code>`, see
`workflows.domain.group_titles`).
"""

from __future__ import annotations

from workflows.domain.group_titles import group_title

TITLES: dict[str, tuple[str, str]] = {
    "east": ("华东", "East"),
    "south": ("华南", "South"),
    "north": ("华北", "North"),
    "west": ("华西", "West"),
    "southwest": ("西南", "Southwest"),
    "northwest": ("西北", "Northwest"),
    "northeast": ("东北", "Northeast"),
    "central": ("华中", "Central"),
}


def region_title(code: str, locale: str) -> str:
    """The title of region `code` in `locale` (`zh` or `en`)."""
    zh, en = TITLES.get(code) or group_title(f"region:{code}")
    return zh if locale == "zh" else en
