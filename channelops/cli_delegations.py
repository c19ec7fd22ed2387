"""`channelops delegation add|list|end|handover` and `channelops task assign`: absences with a substitute and
assignment, for an admin's scripts (as `system` unless `--as LOGIN`; every change audited)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from channelops.cli_support import fail, services
from workflows.domain.errors import ChannelOpsError
from workflows.domain.principals import SYSTEM, Actor
from workflows.services import delegations, tasks
from workflows.services.context import Services
from workflows.services.users import actor_for

delegation_app = typer.Typer(help="Absences with a substitute (docs/admin.md).", no_args_is_help=True)
task_app = typer.Typer(help="Tasks.", no_args_is_help=True)
AsLogin = Annotated[str | None, typer.Option("--as", metavar="LOGIN",
                                             help="act as this user (default: system); audited under that name")]


def _actor(svc: Services, login: str | None) -> Actor:
    return SYSTEM if login is None else actor_for(svc, login=login)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _line(d: delegations.DelegationView) -> str:
    scope = ",".join(d.workflows) or "all workflows"
    return f"{d.id}\t{d.user_login}\t-> {d.substitute_login}\t{d.starts_on} .. {d.ends_on}\t{d.status}\t{scope}"


@delegation_app.command("add")
def delegation_add(
    login: Annotated[str, typer.Argument(help="who is away")],
    to: Annotated[str, typer.Option("--to", metavar="SUB", help="the substitute's login")],
    since: Annotated[str, typer.Option("--from", metavar="DATE", help="first day away (YYYY-MM-DD)")],
    until: Annotated[str, typer.Option("--until", metavar="DATE", help="last day away, included (YYYY-MM-DD)")],
    workflow: Annotated[list[str] | None, typer.Option("--workflow", metavar="W",
                                                       help="only this workflow (repeat; default: all)")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    handover: Annotated[bool, typer.Option("--handover", help="hand the open tasks over at once")] = False,
    as_login: AsLogin = None,
) -> None:
    """Record that LOGIN is away with a substitute; the substitute is told."""
    starts_on, ends_on = _day(since), _day(until)
    try:
        with services() as svc:
            actor = _actor(svc, as_login)
            made = delegations.add_delegation(svc, actor=actor, login=login, substitute=to, starts_on=starts_on,
                                              ends_on=ends_on, workflows=workflow or [], note=note)
            typer.echo(_line(made))
            if handover:
                done = delegations.hand_over(svc, actor=actor, delegation_id=made.id)
                typer.echo(f"handed over {len(done.handed_over)} task(s) to {done.substitute_login}"
                           + (f"; kept {len(done.kept)}" if done.kept else ""))
    except ChannelOpsError as exc:
        fail(exc)


@delegation_app.command("list")
def delegation_list(
    login: Annotated[str | None, typer.Option("--user", metavar="LOGIN", help="only this user's")] = None,
    every: Annotated[bool, typer.Option("--all", help="past and ended ones too")] = False,
    as_login: AsLogin = None,
) -> None:
    """List absences (id, who, substitute, dates, status, workflows), the latest first."""
    try:
        with services() as svc:
            found = delegations.list_delegations(svc, actor=_actor(svc, as_login), login=login, current=not every)
    except ChannelOpsError as exc:
        fail(exc)
        return
    for d in found:
        typer.echo(_line(d))
    if not found:
        typer.echo("no absence", err=True)


@delegation_app.command("end")
def delegation_end(delegation_id: Annotated[int, typer.Argument(min=1)], as_login: AsLogin = None) -> None:
    """End an absence now: new tasks go to the person again."""
    try:
        with services() as svc:
            typer.echo(_line(delegations.end_delegation(svc, actor=_actor(svc, as_login),
                                                        delegation_id=delegation_id)))
    except ChannelOpsError as exc:
        fail(exc)


@delegation_app.command("handover")
def delegation_handover(delegation_id: Annotated[int, typer.Argument(min=1)], as_login: AsLogin = None) -> None:
    """Hand the absent user's open tasks to the substitute."""
    try:
        with services() as svc:
            done = delegations.hand_over(svc, actor=_actor(svc, as_login), delegation_id=delegation_id)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"handed over {len(done.handed_over)} task(s) to {done.substitute_login}"
               + (f"; kept {len(done.kept)}" if done.kept else ""))


@task_app.command("assign")
def task_assign(task_id: Annotated[int, typer.Argument(min=1)], login: Annotated[str, typer.Argument()],
                as_login: AsLogin = None) -> None:
    """Assign an open task to LOGIN, a member of the task's group; LOGIN is told."""
    try:
        with services() as svc:
            tasks.assign_task(svc, actor=_actor(svc, as_login), task_id=task_id, login=login)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"task {task_id} assigned to {login}")
