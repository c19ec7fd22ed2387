"""Instance data is bounded in depth, string length and size, and each problem names its path."""

from __future__ import annotations

from typing import Any

from workflows.domain.errors import Problem
from workflows.domain.limits import InputLimits, data_problems, yaml_problems

LIMITS = InputLimits(data_bytes=200, data_depth=3, data_string=10)


def test_data_within_every_bound_has_no_problem() -> None:
    assert data_problems({"a": {"b": ["short", 1, None]}}, LIMITS) == []


def test_nesting_past_the_depth_is_reported_at_the_first_container_too_deep() -> None:
    data: dict[str, Any] = {"a": {"b": [{"c": 1}]}}
    assert data_problems(data, LIMITS) == [Problem("data.a.b[0]", "nested deeper than 3 levels")]


def test_nesting_a_hundred_thousand_deep_is_reported_without_recursion() -> None:
    data: dict[str, Any] = {}
    for _ in range(100_000):
        data = {"a": data}
    assert data_problems(data, LIMITS) == [Problem("data.a.a.a", "nested deeper than 3 levels")]


def test_every_text_too_long_is_reported_at_its_path() -> None:
    assert data_problems({"x": "y" * 11, "list": ["ok", "z" * 11]}, LIMITS) == [
        Problem("data.list[1]", "longer than 10 characters"), Problem("data.x", "longer than 10 characters")]


def test_data_larger_than_the_bound_as_json_is_reported_with_its_size() -> None:
    [problem] = data_problems({f"k{i}": "0123456789" for i in range(20)}, LIMITS)
    assert (problem.path, problem.message) == ("data", "410 bytes: at most 200 are allowed")


def test_a_definition_text_larger_than_the_bound_is_reported_at_line_one() -> None:
    assert yaml_problems("名" * 100, InputLimits(yaml_bytes=299)) == [
        Problem("(document)", "300 bytes: at most 299 are allowed", 1)]
