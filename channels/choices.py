"""What the create/edit forms offer to pick from: active people, the regions in use, the groups
people belong to. Reads only; every check stays in the services that save."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from channels import tables as ct
from workflows.persistence import tables as t
from workflows.services.context import Services


@dataclass(frozen=True)
class Person:
    id: int
    name: str  # the display name, or the login when there is none
    groups: tuple[str, ...]


def active_people(svc: Services) -> list[Person]:
    """The active users by login: the people a channel or a meeting can name."""
    c = t.users.c
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(c.id, c.login, c.display_name, c.groups).where(c.active.is_(True))
                                .order_by(c.login)).all()
    return [Person(id=r.id, name=r.display_name or r.login, groups=tuple(r.groups or ())) for r in rows]


def regions_in_use(svc: Services) -> set[str]:
    """The region codes of the registered channels."""
    with svc.uow(write=False) as uow:
        return set(uow.conn.execute(select(ct.channels.c.region).distinct()).scalars())
