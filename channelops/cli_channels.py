"""`channelops kpi ...`: import KPI files and run the KPI rules from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from channelops.cli_support import fail, services
from channels import evaluation, kpi_import
from workflows.domain.errors import ChannelOpsError
from workflows.domain.principals import SYSTEM, Actor
from workflows.services.context import Services
from workflows.services.users import actor_for

kpi_app = typer.Typer(help="KPI data and rules.", no_args_is_help=True)
AsLogin = Annotated[str | None, typer.Option("--as", metavar="LOGIN",
                                             help="act as this user (default: system); audited under that name")]


def _actor(svc: Services, login: str | None) -> Actor:
    return SYSTEM if login is None else actor_for(svc, login=login)


@kpi_app.command("import")
def kpi_import_file(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
                    as_login: AsLogin = None) -> None:
    """Import monthly KPI rows from a CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file.

    Every row is checked first; if any is bad, nothing is imported and every bad row is listed
    with its line (exit 1). Rows for a channel and month already stored replace them (audited).
    """
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with services() as svc, Progress(*columns, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = int(bar.add_task(phase, total=total))
            bar.update(tasks[phase], completed=done)  # type: ignore[arg-type]

        try:
            result = kpi_import.import_file(svc, actor=_actor(svc, as_login), data=file.read_bytes(),
                                            filename=file.name, progress=progress)
        except ChannelOpsError as error:
            bar.stop()
            fail(error)
            return
    typer.echo(f"imported {result.rows} rows ({result.created} new, {result.replaced} replaced, "
               f"{result.late} late) for {', '.join(result.periods)}")


@kpi_app.command("evaluate")
def kpi_evaluate(period: Annotated[str, typer.Option("--period", metavar="PERIOD",
                                                     help="a quarter 2026-Q3 (cards, lifecycle) or a month "
                                                          "2026-11 (stars, alarms, missing reports)")],
                 as_login: AsLogin = None) -> None:
    """Run the KPI rules for a period; running it again changes nothing."""
    with services() as svc:
        try:
            result = evaluation.evaluate_period(svc, actor=_actor(svc, as_login), period=period)
        except ChannelOpsError as error:
            fail(error)
            return
    counts = ", ".join(f"{name} {value}" for name, value in result.counts.items()) or "nothing to do"
    typer.echo(f"evaluated {result.period} for {result.channels} active channels: {counts}")
