"""What people call a group: 财务部 / Finance rather than `finance`. Pure, no I/O.

The groups themselves live in the database (`groups`, managed by admins: `workflows.services.groups`);
`SHIPPED` are the ones every installation starts with (seeded by migration 0008), and `group_title`
is the fallback for a code the database does not know (a group named in an old row).
"""

from __future__ import annotations

import re

SHIPPED: dict[str, tuple[str, str]] = {
    "market": ("市场部", "Market"),
    "sales": ("销售部", "Sales"),
    "finance": ("财务部", "Finance"),
    "it": ("信息技术部", "IT"),
    "committee": ("渠道管理委员会", "Channel committee"),
}
TITLES = SHIPPED  # the name older callers use
SHIPPED_CODES = frozenset(SHIPPED)
CODE = re.compile(r"^(region:)?[a-z][a-z0-9_-]{0,49}$")
REGION_PREFIX = "region:"

# The regions the channel pack ships with (a region group is `region:<code>`).
REGIONS: dict[str, tuple[str, str]] = {
    "east": ("东区", "East"),
    "south": ("南区", "South"),
    "north": ("北区", "North"),
    "west": ("西区", "West"),
    "southwest": ("西南区", "Southwest"),
    "northwest": ("西北区", "Northwest"),
    "northeast": ("东北区", "Northeast"),
    "central": ("华中区", "Central"),
}


def group_title(name: str) -> tuple[str, str]:
    """(zh, en) title of the group `name` without the database: a shipped group's title, a region
    group is 区域 <code> / Region <code>, anything else is shown by its name in both languages."""
    if name in SHIPPED:
        return SHIPPED[name]
    prefix, _, code = name.partition(":")
    if prefix == "region" and code:
        return REGIONS.get(code, (f"区域 {code}", f"Region {code}"))
    return name, name


def code_problem(code: str) -> str | None:
    """Why `code` cannot name a group (None: it can): lower-case letters, digits, `_` and `-`,
    starting with a letter, at most 50 characters, optionally after `region:`."""
    if CODE.match(code):
        return None
    return "a group code is lower-case letters, digits, _ and - (starting with a letter, at most 50), " \
           "optionally after region:, e.g. legal or region:east"


def is_region(code: str) -> bool:
    return code.startswith(REGION_PREFIX)
