"""`channelops target ...` and `channelops outbox ...`: notification targets and dead letters from the
command line, for scripts (every change audited, as `system` unless `--as LOGIN`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from channelops.cli_support import fail, services
from workflows.adapters.notifier import AppriseNotifier
from workflows.domain.errors import ChannelOpsError, InvalidInput, Problem
from workflows.domain.principals import SYSTEM, Actor
from workflows.services import outbox, targets
from workflows.services.context import Services
from workflows.services.outbox import OutboxFilter
from workflows.services.users import actor_for

target_app = typer.Typer(help="Notification targets: where users' and groups' messages go.", no_args_is_help=True)
outbox_app = typer.Typer(help="The outbox: pending, sent and dead notifications.", no_args_is_help=True)
AsLogin = Annotated[str | None, typer.Option("--as", metavar="LOGIN",
                                             help="act as this user (default: system); audited under that name")]
TEST_TIMEOUT = targets.TEST_TIMEOUT


def _actor(svc: Services, login: str | None) -> Actor:
    return SYSTEM if login is None else actor_for(svc, login=login)


def _owner(svc: Services, *, user: str | None, group: str | None) -> tuple[str, str]:
    if (user is None) == (group is None):
        raise InvalidInput("name one owner", [Problem("owner", "give --user LOGIN or --group GROUP")])
    if group is not None:
        return "group", group
    assert user is not None
    found = actor_for(svc, login=user)
    return "user", str(found.id)


@target_app.command("add")
def target_add(
    url: Annotated[str, typer.Argument(help="the apprise URL; '-' reads it from stdin (keeps secrets out of "
                                             "the shell history)")],
    kind: Annotated[str, typer.Option(help="email, dingtalk, feishu, wecom or webhook")],
    user: Annotated[str | None, typer.Option("--user", metavar="LOGIN", help="the user it belongs to")] = None,
    group: Annotated[str | None, typer.Option("--group", metavar="GROUP", help="the group it belongs to")] = None,
    locale: Annotated[str | None, typer.Option(help="zh or en (default: the owner's)")] = None,
    as_login: AsLogin = None,
) -> None:
    """Add a notification target for a user or a group; prints its id and its masked URL."""
    if url == "-":
        url = sys.stdin.readline().strip()
    try:
        with services() as svc:
            owner_type, owner = _owner(svc, user=user, group=group)
            view = targets.add_target(svc, actor=_actor(svc, as_login), owner_type=owner_type, owner=owner,
                                      kind=kind, url=url, locale=locale)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"added target {view.id}: {view.owner_type} {view.owner} {view.kind} {view.url}")


@target_app.command("list")
def target_list(
    user: Annotated[str | None, typer.Option("--user", metavar="LOGIN")] = None,
    group: Annotated[str | None, typer.Option("--group", metavar="GROUP")] = None,
    kind: Annotated[str | None, typer.Option()] = None,
    as_login: AsLogin = None,
) -> None:
    """List active targets (secrets masked): id, owner, kind, locale, URL; tab-separated."""
    try:
        with services() as svc:
            owner_type = owner = None
            if user is not None or group is not None:
                owner_type, owner = _owner(svc, user=user, group=group)
            views = targets.list_targets(svc, actor=_actor(svc, as_login), owner_type=owner_type, owner=owner,
                                         kind=kind)
    except ChannelOpsError as exc:
        fail(exc)
        return
    for v in views:
        typer.echo(f"{v.id}\t{v.owner_type}:{v.owner}\t{v.kind}\t{v.locale or '-'}\t{v.url}")


@target_app.command("remove")
def target_remove(target_id: int, as_login: AsLogin = None) -> None:
    """Remove (deactivate) a target; its delivery history stays."""
    try:
        with services() as svc:
            targets.remove_target(svc, actor=_actor(svc, as_login), target_id=target_id)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"removed target {target_id}")


@target_app.command("test")
def target_test(target_id: int, as_login: AsLogin = None,
                timeout: Annotated[float, typer.Option(min=1, max=120, help="seconds to wait")] = TEST_TIMEOUT) -> None:
    """Send a test message now; prints the provider's answer. Exits 1 if it failed."""
    try:
        with services() as svc:
            result = targets.send_test(svc, actor=_actor(svc, as_login), target_id=target_id,
                                       notifier=AppriseNotifier(timeout=timeout))
    except ChannelOpsError as exc:
        fail(exc)
        return
    if result.ok:
        typer.echo(f"target {target_id}: ok ({result.duration_ms} ms)")
        return
    typer.echo(f"target {target_id}: failed: {result.error}", err=True)
    raise typer.Exit(1)


@outbox_app.command("list")
def outbox_list(
    status: Annotated[str | None, typer.Option(help="pending, sent or dead")] = None,
    kind: Annotated[str | None, typer.Option(help="the template, e.g. task_opened")] = None,
    recipient: Annotated[str | None, typer.Option(help="e.g. user:7, group:finance")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_login: AsLogin = None,
) -> None:
    """Notifications, newest first: id, status, attempts, created, recipient, template, last error (tab-separated);
    the total matching is printed last."""
    where = OutboxFilter(status=status, template=kind, recipient=recipient)
    try:
        with services() as svc:
            page = outbox.outbox_page(svc, actor=_actor(svc, as_login), where=where, limit=limit, offset=offset)
    except ChannelOpsError as exc:
        fail(exc)
        return
    for o in page.items:
        typer.echo(f"{o.id}\t{o.status}\t{o.attempts}\t{o.created_at.isoformat()}\t{o.recipient}\t{o.template}\t"
                   f"{(o.last_error or '-').replace(chr(10), ' ')}")
    typer.echo(f"{page.total} matching", err=True)


@outbox_app.command("requeue")
def outbox_requeue(
    ids: Annotated[list[int] | None, typer.Argument(help="dead notifications to requeue")] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="every dead notification (at most 1000 per run; "
                                                             "with --kind/--recipient: those)")] = False,
    kind: Annotated[str | None, typer.Option(help="with --all-dead: only this template")] = None,
    recipient: Annotated[str | None, typer.Option(help="with --all-dead: only this recipient")] = None,
    as_login: AsLogin = None,
) -> None:
    """Put dead notifications back to pending, due now; the outbox loop sends them again."""
    if bool(ids) == all_dead:
        typer.echo("error: give IDs or --all-dead (not both)", err=True)
        raise typer.Exit(2)
    try:
        with services() as svc:
            where = OutboxFilter(status="dead", template=kind, recipient=recipient) if all_dead else None
            done = outbox.requeue_many(svc, actor=_actor(svc, as_login), ids=list(ids) if ids else None, where=where)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"requeued {len(done)}" + (f": {' '.join(map(str, done))}" if done else ""))
