"""The workflow definitions the channel pack ships besides the engine's four (`emergency_response`).

Published like the shipped ones: when no version of that name has the file's checksum.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.definitions import publish_definition, shipped_source

CHANNEL_DEFINITIONS = ("emergency_response",)


def publish_channel_definitions(svc: Services) -> list[str]:
    """Publish each channel-pack definition whose text is not yet published; returns their names.

    Opens its own transactions: call it before, never inside, a unit of work.
    """
    published = []
    for name in CHANNEL_DEFINITIONS:
        source = shipped_source(name)
        checksum = hashlib.sha256(source.encode("utf-8")).hexdigest()
        with svc.uow(write=False) as uow:
            known = uow.conn.execute(select(t.definitions.c.id).where(
                t.definitions.c.name == name, t.definitions.c.checksum == checksum)).first()
        if known is None:
            publish_definition(svc, actor=SYSTEM, source=source)
            published.append(name)
    return published
