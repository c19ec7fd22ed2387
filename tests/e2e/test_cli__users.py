"""`channelops user set|passwd|list` and `channelops group add|set|list`."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from channelops.bootstrap import build_services
from channelops.cli import app
from channelops.settings import get_settings
from workflows.persistence import tables as t

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_database")


def _ok(args: list[str], input: str | None = None) -> str:
    result = runner.invoke(app, args, input=input)
    assert result.exit_code == 0, result.output
    return result.output


def _audit_actions(entity_type: str) -> list[tuple[str, str]]:
    svc = build_services(get_settings())
    try:
        with svc.uow(write=False) as uow:
            rows = uow.conn.execute(select(t.audit_events.c.action, t.audit_events.c.actor_login)
                                    .where(t.audit_events.c.entity_type == entity_type)
                                    .order_by(t.audit_events.c.id)).all()
    finally:
        svc.engine.dispose()
    return [(r.action, r.actor_login) for r in rows]


def test_an_admin_creates_a_region_group_and_lists_it_with_its_titles() -> None:
    assert "created group region:east (东区 / East)" in _ok(
        ["group", "add", "region:east", "--title-zh", "东区", "--title-en", "East"])
    listed = _ok(["group", "list"]).splitlines()
    assert [line.split()[0] for line in listed] == ["committee", "finance", "it", "market", "region:east", "sales"]
    assert "东区 / East  members: 0" in next(line for line in listed if line.startswith("region:east"))
    assert _audit_actions("group") == [("created", "system")]


def test_a_group_is_renamed_and_deactivated_and_only_listed_with_all() -> None:
    assert "数字化部 / Digital (inactive)" in _ok(["group", "set", "it", "--title-zh", "数字化部", "--title-en",
                                                 "Digital", "--inactive"])
    assert "it " not in _ok(["group", "list"])
    assert "(inactive)" in _ok(["group", "list", "--all"])


def test_a_bad_group_is_refused_with_its_problem() -> None:
    result = runner.invoke(app, ["group", "add", "Legal Dept", "--title-zh", "法务", "--title-en", "Legal"])
    assert result.exit_code == 1 and "a group code is lower-case letters" in result.output


def test_user_set_changes_groups_roles_email_and_deactivates_then_reactivates() -> None:
    _ok(["user", "add", "li", "--group", "market"], input="a-good-password\n")
    changed = _ok(["user", "set", "li", "--group", "finance", "--group", "committee", "--role", "viewer",
                   "--email", "li@example.com", "--display-name", "李 Li"])
    assert ("changed li (active; groups: committee, finance; roles: committee, reviewer, viewer; "
            "e-mail: li@example.com; language: zh)") in changed
    assert "li (inactive;" in _ok(["user", "set", "li", "--inactive"])
    assert _ok(["user", "list", "--inactive"]).startswith("li (inactive;")
    assert "li (active;" in _ok(["user", "set", "li", "--active"])
    assert [a for a, _ in _audit_actions("user")] == ["created", "changed", "deactivated", "reactivated"]


def test_user_set_refuses_a_group_that_does_not_exist_and_an_unknown_login() -> None:
    _ok(["user", "add", "li", "--group", "market"], input="a-good-password\n")
    result = runner.invoke(app, ["user", "set", "li", "--group", "legal"])
    assert result.exit_code == 1 and "unknown group 'legal'" in result.output
    missing = runner.invoke(app, ["user", "set", "nobody", "--active"])
    assert missing.exit_code == 1 and "no user 'nobody'" in missing.output
    assert runner.invoke(app, ["user", "set", "li"]).exit_code == 2


def test_user_passwd_reads_the_new_password_from_stdin_and_the_old_one_stops_working() -> None:
    from workflows.services.logins import log_in

    _ok(["user", "add", "li"], input="the-old-password\n")
    assert "password of li set" in _ok(["user", "passwd", "li", "--password-stdin"], input="the-new-password\n")
    svc = build_services(get_settings())
    try:
        assert log_in(svc, login="li", password="the-new-password", address="cli-test").login == "li"
    finally:
        svc.engine.dispose()
    assert ("password_reset", "system") in _audit_actions("user")
    short = runner.invoke(app, ["user", "passwd", "li", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "must be 8 to 200 characters" in short.output
