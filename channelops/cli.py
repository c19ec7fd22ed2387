"""The `channelops` command line. Commands parse input, call one service, print the answer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from channelops.bootstrap import build_registry
from channelops.cli_channels import kpi_app
from channelops.cli_delegations import delegation_app, task_app
from channelops.cli_meetings import agenda
from channelops.cli_migrate import workflow_migrate
from channelops.cli_notify import outbox_app, target_app
from channelops.cli_support import fail, services
from channelops.cli_users import group_app, user_list, user_passwd, user_set
from channelops.settings import Settings, get_settings
from workflows.adapters.clock import FixedClock
from workflows.domain.errors import ChannelOpsError
from workflows.domain.principals import SYSTEM
from workflows.domain.validation import validate_source
from workflows.persistence import migrate
from workflows.services import definitions, diagrams, users
from workflows.services.timers import SweepResult, drain_due_timers

if TYPE_CHECKING:
    from workflows.services.outbox import DispatchResult

app = typer.Typer(help="channelops: workflows for sales-channel operations.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
workflow_app = typer.Typer(help="Workflow definitions.", no_args_is_help=True)
user_app = typer.Typer(help="Users.", no_args_is_help=True)
timers_app = typer.Typer(help="Durable timers.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(workflow_app, name="workflow")
app.add_typer(user_app, name="user")
app.add_typer(timers_app, name="timers")
app.add_typer(kpi_app, name="kpi")
app.command("agenda")(agenda)
app.add_typer(delegation_app, name="delegation")
app.add_typer(task_app, name="task")
workflow_app.command("migrate")(workflow_migrate)
app.add_typer(target_app, name="target")
app.add_typer(outbox_app, name="outbox")
app.add_typer(group_app, name="group")
user_app.command("set")(user_set)
user_app.command("passwd")(user_passwd)
user_app.command("list")(user_list)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations to CHANNELOPS_DATABASE_URL."""
    migrate.upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@workflow_app.command("validate")
def workflow_validate(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Check a definition; print every problem with its place; exit 1 if any. Needs no database."""
    result = validate_source(read_text(file), build_registry().vocabulary())
    if result.valid:
        typer.echo(f"{file}: valid")
        return
    for problem in result.problems:
        line = f":{problem.line}" if problem.line else ""
        typer.echo(f"{file}{line}: {problem.path}: {problem.message}", err=True)
    raise typer.Exit(1)


def read_text(file: Path) -> str:
    """The file as UTF-8 text (a BOM is dropped), or a clear error and exit 1."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        typer.echo(f"error: {file} is not UTF-8 text ({exc.reason} at byte {exc.start})", err=True)
        raise typer.Exit(1) from exc


@workflow_app.command("publish")
def workflow_publish(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Validate and publish a new version of a definition."""
    try:
        with services() as svc:
            view = definitions.publish_definition(svc, actor=SYSTEM, source=read_text(file))
    except ChannelOpsError as exc:
        fail(exc)
        return
    if view.unchanged:
        typer.echo(f"{view.name} version {view.version} already has this text; nothing published")
        return
    typer.echo(f"published {view.name} version {view.version}")


@workflow_app.command("diagram")
def workflow_diagram(
    name: str,
    format: Annotated[str, typer.Option("--format", help="mermaid or svg (svg needs Graphviz)")] = "mermaid",
    locale: Annotated[str, typer.Option(help="zh or en")] = "en",
) -> None:
    """Draw the latest version of a published definition."""
    if format not in ("mermaid", "svg"):
        typer.echo("error: --format is mermaid or svg", err=True)
        raise typer.Exit(2)
    try:
        with services() as svc:
            drawn = diagrams.draw(svc, actor=SYSTEM, name=name, fmt="svg" if format == "svg" else "mermaid",
                                  locale=locale)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(drawn.text, nl=False)


@user_app.command("add")
def user_add(
    login: str,
    group: Annotated[list[str] | None, typer.Option("--group", help="repeatable")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="repeatable")] = None,
    admin: Annotated[bool, typer.Option("--admin")] = False,
    email: Annotated[str | None, typer.Option()] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create a user; asks for the password (or reads it from stdin)."""
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with services() as svc:
            view = users.add_user(svc, actor=SYSTEM, login=login, groups=group or [], roles=role or [],
                                  is_admin=admin, password=password or None, email=email)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"created user {view.login} (groups: {', '.join(view.groups) or '-'}; roles: "
               f"{', '.join(view.roles) or '-'})")


def aware_moment(text: str) -> datetime:
    """An ISO datetime with a timezone, or exit 2."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        typer.echo(f"error: {text!r} is not an ISO datetime with a timezone, e.g. 2026-12-01T09:00:00+08:00",
                   err=True)
        raise typer.Exit(2)
    return moment


@timers_app.command("run")
def timers_run(
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="TIME", help="ISO datetime with a timezone")] = None,
) -> None:
    """Fire every due timer, then deliver every due notification, by hand; print what happened.

    Sweeps in batches until nothing due is left (a progress line on a terminal). With --as-of it
    runs as if it were TIME: every timer due by then fires, for real, in the configured database
    (CHANNELOPS_DATABASE_URL), and due notifications are sent. To rehearse a later moment, point
    that at a copy of the data. Exits with 1 if a timer failed or a notification was not delivered.
    """
    from workflows.adapters.notifier import AppriseNotifier
    from workflows.services.outbox import drain_outbox

    moment = aware_moment(as_of) if as_of is not None else None
    show = _progress_line if sys.stdout.isatty() else None
    with services() as svc:
        if moment is not None:
            svc.clock = FixedClock(moment)  # what the timers cause happens at TIME too
        result = drain_due_timers(svc, now=moment, progress=show)
        sent = drain_outbox(svc, notifier=AppriseNotifier(), now=moment, progress=show)
    if show is not None:
        typer.echo("\r\033[K", nl=False)
    typer.echo(f"timers: {result.fired} fired, {result.cancelled} cancelled, {result.failed} failed")
    typer.echo(f"outbox: {sent.sent} sent, {sent.retried} to retry, {sent.dead} dead")
    if result.failed or sent.retried or sent.dead:
        raise typer.Exit(1)


def _progress_line(total: SweepResult | DispatchResult) -> None:
    if isinstance(total, SweepResult):
        text = f"timers: {total.fired} fired, {total.cancelled} cancelled, {total.failed} failed ..."
    else:
        text = f"outbox: {total.sent} sent, {total.retried} to retry, {total.dead} dead ..."
    typer.echo(f"\r\033[K{text}", nl=False)


@contextmanager
def scheduling(settings: Settings) -> Iterator[None]:
    """The embedded scheduler (Prefect's server and a worker, as child processes) around a server's life.

    Not started when CHANNELOPS_EMBEDDED_SCHEDULER is false, or when PREFECT_API_URL names a server
    (then `channelops worker` processes run the schedules there).
    """
    import os

    if not settings.embedded_scheduler or os.environ.get("PREFECT_API_URL"):
        yield
        return
    from channelops.scheduler import start_embedded_scheduler

    scheduler = start_embedded_scheduler(settings)
    typer.echo(f"schedules: Prefect server at {scheduler.api_url} and a worker, starting (logs: {scheduler.home})")
    try:
        yield
    finally:
        scheduler.stop()


@app.command()
def worker() -> None:
    """Run the scheduled flows (timers and reminders, notifications, KPI reviews, meeting agendas) against
    the Prefect server at PREFECT_API_URL."""
    from flows.serve import NO_API_URL, PrefectUnavailable, api_url, serve_flows

    if api_url() is None:
        typer.echo(f"error: {NO_API_URL}", err=True)
        raise typer.Exit(2)
    try:
        serve_flows()
    except PrefectUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int | None, typer.Option(help="uvicorn worker processes")] = None,
) -> None:
    """Migrate the database if needed, then serve the API (and UI) with uvicorn."""
    import uvicorn

    settings = get_settings()
    settings.refuse_placeholder_secret()
    with services():
        pass  # migrated and shipped workflows published before the first request
    with scheduling(settings):
        uvicorn.run("channelops.server:app_factory", factory=True, host=host, port=port,
                    workers=workers or settings.workers, log_level="info")


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    database: Annotated[Path, typer.Option(help="SQLite file, recreated on every start")] = Path("channelops-demo.db"),
    seed_only: Annotated[bool, typer.Option("--seed-only", help="seed the database and exit")] = False,
) -> None:
    """Serve on a fresh SQLite database seeded with demo users, channels and running instances."""
    import os

    import uvicorn

    from channelops import demo as demo_data

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["CHANNELOPS_DATABASE_URL"] = f"sqlite:///{database.resolve()}"
    get_settings.cache_clear()
    with services() as svc:
        logins = demo_data.seed(svc)
    typer.echo(f"channelops demo: http://{host}:{port}/   (API docs: http://{host}:{port}/docs)")
    typer.echo(f"database: {database.resolve()}")
    typer.echo(f"demo logins (password for all: {demo_data.PASSWORD}):")
    for login, name in logins:
        typer.echo(f"  {login:<16} {name}")
    if seed_only:
        return
    with scheduling(get_settings()):
        uvicorn.run("channelops.server:app_factory", factory=True, host=host, port=port, log_level="info")


def main() -> None:
    app()
