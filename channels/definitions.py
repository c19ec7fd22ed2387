"""The workflow definitions the channel pack ships besides the engine's four (`emergency_response`).

Published like the shipped ones: when no version of that name has the file's checksum.
"""

from __future__ import annotations

from workflows.domain.principals import SYSTEM
from workflows.services.context import Services
from workflows.services.definitions import publish_shipped

CHANNEL_DEFINITIONS = ("emergency_response",)


def publish_channel_definitions(svc: Services) -> list[str]:
    """Publish each channel-pack definition whose text is not yet published; returns their names.

    Opens its own transaction: call it before, never inside, a unit of work.
    """
    return [view.name for view in publish_shipped(svc, actor=SYSTEM, names=CHANNEL_DEFINITIONS)]
