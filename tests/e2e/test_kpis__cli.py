"""`channelops kpi import FILE` and `channelops kpi evaluate --period`, against CHANNELOPS_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from channelops.cli import app
from channels import tables as ct
from tests.integration.helpers import count
from tests.support import channel_factories as f
from workflows.services.context import Services

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_database")


def test_import_reads_a_gbk_file_and_says_what_it_imported(svc: Services, tmp_path: Path) -> None:
    a = f.channel(svc)
    file = tmp_path / "kpi.csv"
    file.write_bytes(f"渠道编码,月份,销售额\n{a.code},2026-09,90\n{a.code},2026-10,95\n".encode("gbk"))
    result = runner.invoke(app, ["kpi", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "imported 2 rows (2 new, 0 replaced" in result.output
    assert count(svc, ct.kpi_records) == 2


def test_import_lists_every_bad_line_exits_1_and_imports_nothing(svc: Services, tmp_path: Path) -> None:
    a = f.channel(svc)
    file = tmp_path / "kpi.csv"
    file.write_text(f"channel_code,period,sales_actual\n{a.code},2026-10,1\nNOPE,2026-10,x\n", encoding="utf-8")
    result = runner.invoke(app, ["kpi", "import", str(file)])
    assert result.exit_code == 1
    assert "channel_code (line 3): unknown channel 'NOPE'" in result.output
    assert "sales_actual (line 3): bad number 'x'" in result.output
    assert count(svc, ct.kpi_records) == 0


def test_evaluate_runs_a_quarter_and_a_second_run_changes_nothing(svc: Services) -> None:
    a = f.channel(svc)
    f.report(svc, a.code, f.by_quarter({"2026-Q2": 90, "2026-Q3": 90}))
    first = runner.invoke(app, ["kpi", "evaluate", "--period", "2026-Q3"])
    assert first.exit_code == 0, first.output
    assert "issue_yellow 1" in first.output
    second = runner.invoke(app, ["kpi", "evaluate", "--period", "2026-Q3"])
    assert "issue_yellow" not in second.output and "missed 1" in second.output


def test_evaluate_refuses_a_bad_period(svc: Services) -> None:
    result = runner.invoke(app, ["kpi", "evaluate", "--period", "2026-Q5"])
    assert result.exit_code == 1
    assert "expected a month YYYY-MM or a quarter YYYY-Qn" in result.output
