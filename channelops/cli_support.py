"""What every `channelops` command shares: services for one command and a failure that exits 1.

Kept apart from `channelops.cli` so the command groups (`cli_channels`, `cli_meetings`) can use it
while `cli` imports them to register their commands: the imports run one way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from channelops.bootstrap import build_services, prepare_database
from channelops.settings import get_settings
from workflows.domain.errors import ChannelOpsError, InvalidInput
from workflows.services.context import Services


@contextmanager
def services(*, prepare: bool = True) -> Iterator[Services]:
    """Services for one command: the database migrated and the shipped workflows published."""
    settings = get_settings()
    svc = build_services(settings)
    try:
        if prepare:
            prepare_database(svc, settings)
        yield svc
    finally:
        svc.engine.dispose()


def fail(error: ChannelOpsError) -> None:
    """Print the error (and each problem of invalid input) to stderr and exit 1."""
    typer.echo(f"error: {error.detail}", err=True)
    if isinstance(error, InvalidInput):
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
    raise typer.Exit(1)
