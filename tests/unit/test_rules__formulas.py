"""The rules' pure parts: periods, star formula, lifecycle trends, number and month parsing, thresholds."""

from __future__ import annotations

import pytest

from channels import periods
from channels.kpi_files import decode, month_text, number
from channels.rules.lifecycle import suggestion_for
from channels.rules.stars import score, stars_for
from channels.thresholds import DEFAULTS, STAR_WEIGHTS, problems_in
from workflows.domain.errors import InvalidInput


def test_quarters_and_months_step_across_years() -> None:
    assert periods.months_of("2026-Q4") == ["2026-10", "2026-11", "2026-12"]
    assert periods.previous_quarter("2026-Q1") == "2025-Q4"
    assert periods.previous_month("2026-01") == "2025-12"
    assert periods.quarter_of("2026-11") == "2026-Q4"
    assert str(periods.report_deadline("2026-12", day=10)) == "2027-01-10"


def test_a_record_at_target_with_good_service_scores_four_stars() -> None:
    record = {"sales_target": 100, "sales_actual": 100, "satisfaction": 4.5, "on_time_rate": 95, "return_rate": 2}
    value = score(record, weights=STAR_WEIGHTS)
    assert value == pytest.approx(0.5 * 83.33 + 0.2 * 90 + 0.15 * 95 + 0.15 * 90, abs=0.01)
    assert stars_for(value, cutoffs=DEFAULTS.star_cutoffs) == 4


def test_missing_kpis_drop_out_of_the_weighted_score() -> None:
    assert score({"sales_target": 100, "sales_actual": 120}, weights=STAR_WEIGHTS) == 100.0


def test_star_cutoffs_are_inclusive() -> None:
    assert [stars_for(v, cutoffs=[85, 70, 55, 40]) for v in (85, 84.99, 70, 55, 40, 39.99)] == [5, 4, 4, 3, 2, 1]


@pytest.mark.parametrize(("stage", "changes", "expected"), [
    ("introduction", [10.0, 12.0], ("advance", "growth")),
    ("introduction", [10.0, 9.99], None),
    ("growth", [5.0, -5.0], ("advance", "maturity")),
    ("growth", [5.01, 0.0], None),
    ("maturity", [-5.01, -8.0], ("advance", "decline")),
    ("maturity", [-5.0, -8.0], None),
    ("decline", [15.0, 10.0], ("revive", "growth")),
    ("decline", [-6.0, -9.0], ("exit", "exit")),
])
def test_lifecycle_trends_at_their_boundaries(stage: str, changes: list[float],
                                              expected: tuple[str, str] | None) -> None:
    assert suggestion_for(stage, changes=changes, limits=DEFAULTS) == expected


@pytest.mark.parametrize(("text", "value"), [("1,234.5", 1234.5), ("¥88", 88.0), ("96%", 96.0), (" 7 ", 7.0),
                                             ("", None), (None, None), (3, 3.0)])
def test_numbers_are_read_as_excel_users_write_them(text: object, value: float | None) -> None:
    assert number(text) == value


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1.2.3", True])
def test_bad_numbers_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        number(text)


@pytest.mark.parametrize(("text", "month"), [("2026-10", "2026-10"), ("2026/1", "2026-01"), ("2026年11月", "2026-11"),
                                             ("202611", "2026-11"), ("2026-10-01", "2026-10"), ("2026-13", None),
                                             ("Oct 2026", None), ("", None)])
def test_months_are_read_in_the_usual_spellings(text: str, month: str | None) -> None:
    assert month_text(text) == month


def test_text_is_read_as_utf8_with_or_without_bom_or_as_gbk() -> None:
    assert decode("渠道".encode()) == decode("\ufeff渠道".encode()) == decode("渠道".encode("gbk")) == "渠道"
    with pytest.raises(InvalidInput):
        decode(b"\x80\n")


def test_threshold_changes_are_checked_one_by_one() -> None:
    problems = problems_in({"alarm_drop_pct": -1, "star_cutoffs": [40, 55, 70, 85], "nope": 1,
                            "missed_quarters_for_yellow": 2, "type_targets": {"agent": 1}})
    assert {p.path for p in problems} == {"thresholds.alarm_drop_pct", "thresholds.star_cutoffs", "thresholds.nope",
                                          "thresholds.type_targets"}
