"""Migration through the API and the command line, with the same fields and the same answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from channelops.cli import app
from tests.support.fixtures import LoginFactory, UserFactory
from tests.support.migration import Seeded, seed
from workflows.persistence import tables as t
from workflows.services.context import Services

runner = CliRunner()


@pytest.fixture
def seeded(svc: Services, make_user: UserFactory) -> Seeded:
    return seed(svc, make_user(admin=True), reviewing=2, parked=1, no_region=1)


def on_version(svc: Services) -> dict[int, int]:
    with svc.uow(write=False) as uow:
        rows = uow.conn.execute(select(t.instances.c.id, t.instances.c.definition_version)
                                .where(t.instances.c.workflow == "sop_review"))
        return {int(r.id): int(r.definition_version) for r in rows}


def test_the_api_dry_run_reports_every_instance_and_the_real_run_moves_the_unblocked(
        client: TestClient, login_as: LoginFactory, seeded: Seeded, svc: Services) -> None:
    admin = login_as(admin=True)
    url = "/api/v1/workflows/sop_review/migrations"
    dry = client.post(url, json={"to_version": 2, "dry_run": True}, headers=admin)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["counts"] == {"total": 4, "ready": 2, "migrated": 0, "blocked": 2, "unchanged": 0}
    blocked = {row["instance_id"]: [b["code"] for b in row["blockers"]] for row in body["instances"]}
    assert blocked[seeded.parked[0]] == ["state_unmapped"]
    assert blocked[seeded.no_region[0]] == ["field_required"]
    assert set(on_version(svc).values()) == {1}

    real = client.post(url, json={"to_version": 2, "map": {"parked": "on_hold"}}, headers=admin)
    assert real.status_code == 200, real.text
    assert real.json()["counts"]["migrated"] == 3 and real.json()["run_id"] is not None
    assert on_version(svc) == {**dict.fromkeys(seeded.all, 2), seeded.no_region[0]: 1}


def test_the_api_answers_a_bad_request_with_a_problem_at_its_field(
        client: TestClient, login_as: LoginFactory, seeded: Seeded) -> None:
    admin = login_as(admin=True)
    url = "/api/v1/workflows/sop_review/migrations"
    bad_map = client.post(url, json={"to_version": 2, "map": {"parked": "limbo"}}, headers=admin)
    assert bad_map.status_code == 422
    assert bad_map.headers["content-type"].startswith("application/problem+json")
    assert "version 2 has no state 'limbo'" in bad_map.text
    missing = client.post(url, json={"to_version": 9, "dry_run": True}, headers=admin)
    assert missing.status_code == 404
    assert "has no version 9" in missing.json()["detail"]
    refused = client.post(url, json={"to_version": 2, "dry_run": True}, headers=login_as("market"))
    assert refused.status_code == 403
    assert "only an admin may migrate" in refused.json()["detail"]


@pytest.fixture
def cli(cli_database: str) -> Iterator[None]:
    yield


def test_the_cli_dry_run_prints_each_instance_and_changes_nothing(cli: None, seeded: Seeded, svc: Services) -> None:
    result = runner.invoke(app, ["workflow", "migrate", "sop_review", "--to-version", "2", "--dry-run"])
    assert result.exit_code == 1, result.output  # some are blocked
    assert f"#{seeded.reviewing[0]} v1 review -> v2 review: ready" in result.output
    assert "create new task dept_review (it)" in result.output
    assert "SLA decision: goal 24.0 h -> 16.0 h, used" in result.output  # the used time is kept
    assert "BLOCKED: state 'parked' is not in version 2: map it (--map parked=NEW)" in result.output
    assert "BLOCKED: field 'region' is required in version 2" in result.output
    assert "dry run: 4 instances, 2 ready, 2 blocked, 0 already there" in result.output
    assert set(on_version(svc).values()) == {1}


def test_the_cli_migrates_with_a_map_and_named_instances_then_says_they_are_there(
        cli: None, seeded: Seeded, svc: Services) -> None:
    first = runner.invoke(app, ["workflow", "migrate", "sop_review", "--to-version", "2", "--map", "parked=on_hold",
                                "--instance", str(seeded.parked[0]), "--instance", str(seeded.reviewing[0])])
    assert first.exit_code == 0, first.output
    assert f"migrated instance {seeded.parked[0]}" in first.output
    assert "2 instances, 2 migrated, 0 blocked" in first.output
    again = runner.invoke(app, ["workflow", "migrate", "sop_review", "--to-version", "2", "--from-version", "1",
                                "--instance", str(seeded.parked[0])])
    assert again.exit_code == 0, again.output
    assert "1 instances, 0 migrated, 0 blocked, 1 already there" in again.output
    bad = runner.invoke(app, ["workflow", "migrate", "sop_review", "--to-version", "2", "--map", "parked"])
    assert bad.exit_code == 2
    assert "--map takes OLD=NEW" in bad.output


def test_generated_migration_requests_get_documented_answers_and_never_a_500(
        client: TestClient, login_as: LoginFactory, seeded: Seeded) -> None:
    from tests.support.fuzz import failures

    def at_sop_review(case: object) -> None:
        case.path_parameters = {"name": "sop_review"}  # type: ignore[attr-defined]

    assert failures(client.app, headers=login_as(admin=True), examples=40,
                    only=lambda path: path.endswith("/migrations"), adjust=at_sop_review) == []
