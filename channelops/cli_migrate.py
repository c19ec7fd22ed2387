"""`channelops workflow migrate`: move running instances to another version (docs/migration.md)."""

from __future__ import annotations

import os
import time
from typing import Annotated

import typer

from channelops.cli_support import fail, services
from workflows.domain.errors import ChannelOpsError
from workflows.domain.principals import SYSTEM
from workflows.services.migration import InstanceMigration, MigrationReport, migrate_instances

# Test hook: seconds to wait inside each instance's transaction before it commits, so that a test can
# kill the command half-way (tests/e2e/test_cli__migrate_kill.py). Not for use in production.
DELAY_VARIABLE = "CHANNELOPS_TEST_MIGRATE_DELAY"


def _state_map(pairs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            typer.echo(f"error: --map takes OLD=NEW, not {pair!r}", err=True)
            raise typer.Exit(2)
        found[old.strip()] = new.strip()
    return found


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:.1f} h"


def describe(view: InstanceMigration) -> list[str]:
    """The lines that tell what happens (or would happen) to one instance."""
    head = (f"#{view.instance_id} v{view.from_version} {view.from_state} -> v{view.to_version} "
            f"{view.to_state or '?'}: {view.status}")
    lines = [head]
    for label, tasks in (("keep", view.tasks_kept), ("cancel", view.tasks_cancelled), ("create", view.tasks_created)):
        for task in tasks:
            due = f", due {task.due_at.isoformat()}" if task.due_at else ""
            ident = f"task {task.task_id}" if task.task_id else "new task"
            lines.append(f"    {label} {ident} {task.name} ({task.group or '-'}){due}")
    for timer in view.timers:
        lines.append(f"    timer {timer.kind} {timer.name}: {timer.previous.isoformat() if timer.previous else '-'}"
                     f" -> {timer.due_at.isoformat() if timer.due_at else 'cancelled'}")
    for clock in view.clocks:
        before = _hours(clock.target_seconds_before) if clock.target_seconds_before is not None else "new"
        lines.append(f"    SLA {clock.goal}: goal {before} -> {_hours(clock.target_seconds)}, "
                     f"used {_hours(clock.used_seconds)} kept, {clock.status}"
                     + (f", due {clock.due_at.isoformat()}" if clock.due_at else ""))
    for blocker in view.blockers:
        lines.append(f"    BLOCKED: {blocker.message}")
    return lines


def workflow_migrate(
    name: str,
    to_version: Annotated[int, typer.Option("--to-version", min=1, help="the version to move instances to")],
    from_version: Annotated[int | None, typer.Option("--from-version", min=1,
                                                     help="only instances on this version (default: all older)")
                            ] = None,
    state_map: Annotated[list[str] | None, typer.Option("--map", metavar="OLD=NEW", help="repeatable")] = None,
    instance: Annotated[list[int] | None, typer.Option("--instance", metavar="ID", help="repeatable")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report what would happen; change nothing")] = False,
) -> None:
    """Move running instances of a workflow to another version, one transaction each (or --dry-run).

    Prints, per instance, the target state, the tasks kept, cancelled and created, the timers and SLA
    clocks recomputed, and what blocks it. Interrupted, run it again: it moves the rest. Exits 1 if
    any instance is blocked.
    """
    mapping = _state_map(state_map or [])
    delay = float(os.environ.get(DELAY_VARIABLE) or 0)

    def progress(view: InstanceMigration) -> None:
        if not dry_run:
            typer.echo(f"{view.status} instance {view.instance_id}")

    def before_commit(_: int) -> None:
        time.sleep(delay)

    try:
        with services() as svc:
            report = migrate_instances(svc, actor=SYSTEM, workflow=name, to_version=to_version,
                                       from_version=from_version, state_map=mapping, instance_ids=instance,
                                       dry_run=dry_run, progress=progress,
                                       before_commit=before_commit if delay else None)
    except ChannelOpsError as exc:
        fail(exc)
        return
    _print(report)
    if report.counts["blocked"]:
        raise typer.Exit(1)


def _print(report: MigrationReport) -> None:
    for view in report.instances:
        for line in describe(view):
            typer.echo(line)
    counts = report.counts
    sources = ", ".join(f"v{v}" for v in report.source_versions) or "none"
    what = "dry run" if report.dry_run else f"run {report.run_id}" + (" (resumed)" if report.resumed else "")
    done = f"{counts['ready']} ready" if report.dry_run else f"{counts['migrated']} migrated"
    typer.echo(f"{report.workflow} {sources} -> v{report.to_version}, {what}: {counts['total']} instances, "
               f"{done}, {counts['blocked']} blocked, {counts['unchanged']} already there")
