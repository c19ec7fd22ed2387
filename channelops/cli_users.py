"""`channelops user set|passwd|list` and `channelops group add|set|list`: people and groups, for admins'
scripts. Each command runs as the installation's operator (`system`) and is audited as such."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from channelops.cli_support import fail, services
from workflows.domain.errors import ChannelOpsError
from workflows.domain.principals import SYSTEM
from workflows.services import groups, sessions, user_changes
from workflows.services.views import UserView

group_app = typer.Typer(help="Groups (departments, the committee, region:<code> groups).", no_args_is_help=True)
Repeated = Annotated[list[str] | None, typer.Option(help="repeatable; replaces the user's list")]


def _shown(view: UserView) -> str:
    state = "active" if view.active else "inactive"
    return (f"{view.login} ({state}; groups: {', '.join(view.groups) or '-'}; roles: {', '.join(view.roles) or '-'}; "
            f"e-mail: {view.email or '-'}; language: {view.locale})")


def user_set(
    login: str,
    group: Annotated[list[str] | None, typer.Option("--group", help="repeatable; replaces the user's groups")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="repeatable; replaces the user's roles")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="reactivate or deactivate")] = None,
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    email: Annotated[str | None, typer.Option("--email", help="an empty value removes it")] = None,
    language: Annotated[str | None, typer.Option("--language", help="zh or en")] = None,
    no_groups: Annotated[bool, typer.Option("--no-groups", help="take the user out of every group")] = False,
) -> None:
    """Change a user: groups, roles, active (reactivation too), display name, e-mail, language."""
    changes: dict[str, Any] = {}
    if group or no_groups:
        changes["groups"] = [] if no_groups else group
    if role is not None:
        changes["roles"] = role
    for key, value in (("active", active), ("display_name", display_name), ("locale", language)):
        if value is not None:
            changes[key] = value
    if email is not None:
        changes["email"] = email or None
    if not changes:
        typer.echo("error: nothing to change (see --help)", err=True)
        raise typer.Exit(2)
    try:
        with services() as svc:
            user_id = user_changes.user_id_for(svc, login=login)
            view = user_changes.update_user(svc, actor=SYSTEM, user_id=user_id, changes=changes)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"changed {_shown(view)}")


def user_passwd(
    login: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Set a user's password (asks twice, or reads one line from stdin); ends the user's sessions."""
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    try:
        with services() as svc:
            user_id = user_changes.user_id_for(svc, login=login)
            sessions.reset_password(svc, actor=SYSTEM, user_id=user_id, password=password)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"password of {login} set; their sessions have ended")


def user_list(
    group: Annotated[str | None, typer.Option("--group")] = None,
    role: Annotated[str | None, typer.Option("--role")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
) -> None:
    """List users, filtered by group, role, active."""
    with services() as svc:
        found = user_changes.find_users(svc, actor=SYSTEM, group=group, role=role, active=active)
    for view in found:
        typer.echo(_shown(view))


@group_app.command("add")
def group_add(
    code: Annotated[str, typer.Argument(help="e.g. legal or region:east")],
    title_zh: Annotated[str, typer.Option("--title-zh")],
    title_en: Annotated[str, typer.Option("--title-en")],
    description: Annotated[str, typer.Option("--description")] = "",
) -> None:
    """Create a group with its Chinese and English titles."""
    try:
        with services() as svc:
            view = groups.add_group(svc, actor=SYSTEM, code=code, title_zh=title_zh, title_en=title_en,
                                    description=description)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"created group {view.code} ({view.title_zh} / {view.title_en})")


@group_app.command("set")
def group_set(
    code: str,
    title_zh: Annotated[str | None, typer.Option("--title-zh")] = None,
    title_en: Annotated[str | None, typer.Option("--title-en")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
) -> None:
    """Change a group's titles, description or active flag (the code never changes)."""
    values = {"title_zh": title_zh, "title_en": title_en, "description": description, "active": active}
    changes = {k: v for k, v in values.items() if v is not None}
    try:
        with services() as svc:
            view = groups.update_group(svc, actor=SYSTEM, code=code, changes=changes)
    except ChannelOpsError as exc:
        fail(exc)
        return
    typer.echo(f"group {view.code}: {view.title_zh} / {view.title_en} ({'active' if view.active else 'inactive'})")


@group_app.command("list")
def group_list(all: Annotated[bool, typer.Option("--all", help="deactivated groups too")] = False) -> None:
    """The groups: code, titles, members, active."""
    with services() as svc:
        found = groups.list_groups(svc, actor=SYSTEM, active=None if all else True)
    for g in found:
        flag = "" if g.active else "  (inactive)"
        typer.echo(f"{g.code:<24} {g.title_zh} / {g.title_en}  members: {g.members}{flag}")
