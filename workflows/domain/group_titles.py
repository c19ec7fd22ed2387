"""What people call a group: 财务部 / Finance rather than `finance`. Pure, no I/O."""

from __future__ import annotations

TITLES: dict[str, tuple[str, str]] = {
    "market": ("市场部", "Market"),
    "sales": ("销售部", "Sales"),
    "finance": ("财务部", "Finance"),
    "it": ("信息技术部", "IT"),
    "committee": ("渠道管理委员会", "Channel committee"),
}

# The regions the channel pack ships with (a region group is `region:<code>`).
REGIONS: dict[str, tuple[str, str]] = {
    "east": ("东区", "East"),
    "south": ("南区", "South"),
    "north": ("北区", "North"),
    "west": ("西区", "West"),
    "southwest": ("西南区", "Southwest"),
}


def group_title(name: str) -> tuple[str, str]:
    """(zh, en) title of the group `name`; a region group is 区域 <code> / Region <code>; an
    unknown group (one an admin made up) is shown by its name in both languages."""
    if name in TITLES:
        return TITLES[name]
    prefix, _, code = name.partition(":")
    if prefix == "region" and code:
        return REGIONS.get(code, (f"区域 {code}", f"Region {code}"))
    return name, name
