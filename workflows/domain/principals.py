"""Who acts, and whether an actor matches a principal named in a definition.

Principals in definitions:
    ``requester``          the user who started the instance
    ``system``             timers, rules and other automatic callers
    ``admin``              any administrator
    ``role:<role>``        a role (committee, reviewer, channel_manager, viewer, admin, lead)
    ``group:<group>``      a group that exists: the shipped market, sales, finance, it, committee, and
                           those admins define (e.g. region:<code>), checked by the services against the
                           database (`workflows.services.groups`)
    ``data:<field>``       the user whose login is in the instance's data under <field>
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROLES = frozenset({"admin", "committee", "reviewer", "channel_manager", "viewer"})
DEPARTMENT_GROUPS = frozenset({"market", "sales", "finance", "it"})
BUILTIN_GROUPS = DEPARTMENT_GROUPS | {"committee"}
SPECIAL_PRINCIPALS = frozenset({"requester", "system", "admin"})
# A group lead: the role `lead` held together with membership of a group makes one the lead of that
# group (they may assign its open tasks to a named member). A lead in two groups leads both.
LEAD = "lead"
ROLES = ROLES | {LEAD}


def is_known_group(name: str, extra: Iterable[str] = ()) -> bool:
    """A builtin group, a `region:<code>` group, or one of `extra` (groups created by admins)."""
    if name in BUILTIN_GROUPS or name in set(extra):
        return True
    prefix, _, code = name.partition(":")
    return prefix == "region" and bool(code) and code.replace("_", "").replace("-", "").isalnum()


def principal_problem(principal: str, extra_groups: Iterable[str] = (), *,
                      known_group: Callable[[str], bool] | None = None) -> str | None:
    """Why `principal` cannot be understood, or None when it is fine. `known_group` says which
    groups exist (default: `is_known_group` with `extra_groups`)."""
    if principal in SPECIAL_PRINCIPALS:
        return None
    kind, _, name = principal.partition(":")
    if kind == "role":
        return None if name in ROLES else f"unknown role {name!r}"
    if kind == "group":
        known = known_group(name) if known_group is not None else is_known_group(name, extra_groups)
        return None if known else f"unknown group {name!r}"
    if kind == "data":
        return None if name else "data: needs a field name"
    return f"unknown principal {principal!r} (use requester, system, admin, role:R, group:G, data:F)"


@dataclass(frozen=True)
class Actor:
    """The caller of a service: a user, or the system itself."""

    id: int | None
    login: str
    groups: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    is_admin: bool = False
    is_system: bool = False
    locale: str = "zh"
    # The user's session epoch when read: sessions and access tokens carrying another one have ended.
    session_epoch: int = 0

    def in_group(self, group: str) -> bool:
        return group in self.groups


SYSTEM = Actor(id=None, login="system", is_system=True)


def matches(
    actor: Actor, principal: str, *, requester_id: int | None, data: Mapping[str, Any]
) -> bool:
    """True when `actor` is the `principal` for an instance with that requester and data."""
    if principal == "system":
        return actor.is_system
    if principal == "requester":
        return actor.id is not None and actor.id == requester_id
    if principal == "admin":
        return actor.is_admin
    kind, _, name = principal.partition(":")
    if kind == "role":
        return (name == "admin" and actor.is_admin) or name in actor.roles
    if kind == "group":
        return name in actor.groups
    if kind == "data":
        return not actor.is_system and data.get(name) == actor.login
    return False


def any_match(
    actor: Actor, principals: Iterable[str], *, requester_id: int | None, data: Mapping[str, Any]
) -> bool:
    return any(matches(actor, p, requester_id=requester_id, data=data) for p in principals)
