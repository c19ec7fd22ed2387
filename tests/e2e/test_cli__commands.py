"""The command line: validate, publish, diagram, user add, db upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from channelops.cli import app
from channelops.settings import get_settings

runner = CliRunner()
GOOD = """name: improvement_proposal
title: {zh: 改进提案, en: Improvement proposal}
start: [role:channel_manager]
states:
  - {name: submitted, initial: true}
  - {name: reviewed, final: true}
transitions:
  - {trigger: review, source: submitted, dest: reviewed, allowed: [group:committee]}
"""


pytestmark = pytest.mark.usefixtures("cli_database")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "definition.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_accepts_a_good_definition(tmp_path: Path) -> None:
    result = runner.invoke(app, ["workflow", "validate", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0
    assert "valid" in result.output


def test_validate_prints_every_problem_with_its_line_and_exits_1(tmp_path: Path) -> None:
    bad = GOOD.replace("dest: reviewed", "dest: reviewd").replace("group:committee", "group:comittee")
    result = runner.invoke(app, ["workflow", "validate", str(write(tmp_path, bad))])
    assert result.exit_code == 1
    assert "definition.yaml:8: transitions[0].dest: unknown state 'reviewd'" in result.output
    assert "transitions[0].allowed[0]: unknown group 'comittee'" in result.output


def test_validate_needs_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = tmp_path / "absent" / "never.db"
    monkeypatch.setenv("CHANNELOPS_DATABASE_URL", f"sqlite:///{nowhere}")
    get_settings.cache_clear()  # cli_database clears it again afterwards
    result = runner.invoke(app, ["workflow", "validate", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert not nowhere.parent.exists()


def test_a_file_that_is_not_utf8_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(GOOD.encode("gbk"))
    result = runner.invoke(app, ["workflow", "validate", str(path)])
    assert result.exit_code == 1
    assert "is not UTF-8 text" in result.output


def test_a_utf8_file_with_a_byte_order_mark_validates(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    assert runner.invoke(app, ["workflow", "validate", str(path)]).exit_code == 0


def test_publish_then_diagram(tmp_path: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    published = runner.invoke(app, ["workflow", "publish", str(write(tmp_path, GOOD))])
    assert published.exit_code == 0, published.output
    assert "published improvement_proposal version 1" in published.output
    drawn = runner.invoke(app, ["workflow", "diagram", "improvement_proposal", "--format", "mermaid"])
    assert drawn.exit_code == 0
    assert "submitted --> reviewed: review" in drawn.output
    svg = runner.invoke(app, ["workflow", "diagram", "improvement_proposal", "--format", "svg"])
    assert svg.exit_code == 0, svg.output
    assert svg.output.lstrip().startswith("<?xml") and 'id="state_reviewed"' in svg.output


def test_publishing_an_invalid_definition_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["workflow", "publish", str(write(tmp_path, "name: [unclosed\n"))])
    assert result.exit_code == 1
    assert "not valid YAML" in result.output
    assert "no workflow 'unclosed'" in runner.invoke(app, ["workflow", "diagram", "unclosed"]).output


def test_diagram_refuses_an_unknown_format() -> None:
    result = runner.invoke(app, ["workflow", "diagram", "complaint", "--format", "png"])
    assert result.exit_code == 2
    assert "--format is mermaid or svg" in result.output


def test_user_add_reads_the_password_from_stdin() -> None:
    result = runner.invoke(app, ["user", "add", "li.finance", "--group", "finance"], input="a-good-password\n")
    assert result.exit_code == 0, result.output
    assert "created user li.finance (groups: finance; roles: reviewer)" in result.output


def test_user_add_refuses_an_unknown_group() -> None:
    result = runner.invoke(app, ["user", "add", "x", "--group", "marketing"], input="a-good-password\n")
    assert result.exit_code == 1
    assert "unknown group 'marketing'" in result.output
