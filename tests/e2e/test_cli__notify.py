"""`channelops target ...` and `channelops outbox ...`: what an admin scripts, against a real webhook receiver."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from channelops.cli import app
from tests.support.fixtures import UserFactory
from tests.support.receivers import HttpReceiver, free_port
from workflows.persistence import tables as t
from workflows.services.context import Services
from workflows.services.records import notify

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_database")


def dead(svc: Services, *recipients: str, template: str = "task_opened") -> list[int]:
    with svc.uow() as uow:
        notify(uow, now=svc.clock.now(), instance_id=None, recipients=recipients, template=template, payload={})
        uow.commit()
    with svc.uow() as uow:
        ids = list(uow.conn.execute(select(t.outbox.c.id).order_by(t.outbox.c.id)).scalars())[-len(recipients):]
        uow.conn.execute(t.outbox.update().where(t.outbox.c.id.in_(ids)).values(status="dead", attempts=5,
                                                                                last_error="refused"))
        uow.commit()
    return ids


def statuses(svc: Services) -> list[str]:
    with svc.uow(write=False) as uow:
        return list(uow.conn.execute(select(t.outbox.c.status).order_by(t.outbox.c.id)).scalars())


def test_an_admin_adds_lists_tests_and_removes_a_target_from_the_command_line(
        svc: Services, make_user: UserFactory) -> None:
    make_user(login="cli_li")
    with HttpReceiver() as hook:
        added = runner.invoke(app, ["target", "add", "--user", "cli_li", "--kind", "webhook", "--locale", "en", "-"],
                              input=hook.url("/cli").replace("/cli", "/cli?+X-Token=verysecret12345") + "\n")
        assert added.exit_code == 0, added.output
        target_id = int(added.output.split()[2].rstrip(":"))
        assert "verysecret" not in added.output and "****2345" in added.output
        listed = runner.invoke(app, ["target", "list", "--user", "cli_li"])
        assert listed.output.startswith(f"{target_id}\tuser:") and "\twebhook\ten\tjson://127.0.0.1:" in listed.output
        tested = runner.invoke(app, ["target", "test", str(target_id)])
        assert tested.exit_code == 0 and f"target {target_id}: ok" in tested.output
    (post,) = hook.posts
    assert post.json["title"] == "channelops test message" and "sent by system" in post.json["message"]
    assert runner.invoke(app, ["target", "remove", str(target_id)]).output == f"removed target {target_id}\n"
    assert runner.invoke(app, ["target", "list"]).output == ""


def test_a_failing_test_message_and_a_bad_url_exit_1_with_the_reason(svc: Services, make_user: UserFactory) -> None:
    added = runner.invoke(app, ["target", "add", "--group", "finance", "--kind", "webhook",
                                f"json://127.0.0.1:{free_port()}/x"])
    target_id = int(added.output.split()[2].rstrip(":"))
    tested = runner.invoke(app, ["target", "test", str(target_id), "--timeout", "5"])
    assert tested.exit_code == 1 and f"target {target_id}: failed:" in tested.output
    bad = runner.invoke(app, ["target", "add", "--group", "finance", "--kind", "email", "json://h/x"])
    assert bad.exit_code == 1 and "url: a email target needs a mailto/mailtos:// URL" in bad.output


def test_outbox_list_shows_the_dead_and_requeue_takes_ids_or_all_dead(svc: Services) -> None:
    first, second, third = dead(svc, "user:1", "user:2", "group:finance")
    listed = runner.invoke(app, ["outbox", "list", "--status", "dead"])
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == [str(third), str(second), str(first)]
    assert "3 matching" in listed.output and "\tdead\t5\t" in listed.stdout
    assert runner.invoke(app, ["outbox", "requeue", str(first)]).output == f"requeued 1: {first}\n"
    again = runner.invoke(app, ["outbox", "requeue", str(first)])
    assert again.exit_code == 1 and f"{first} is pending" in again.output
    assert runner.invoke(app, ["outbox", "requeue"]).exit_code == 2
    everything = runner.invoke(app, ["outbox", "requeue", "--all-dead"])
    assert everything.output == f"requeued 2: {second} {third}\n"
    assert statuses(svc) == ["pending"] * 3
