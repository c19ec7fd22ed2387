"""Which groups a definition may name: the ones the services pass in (the database's), checked at
their lines; without a database the shipped ones and any region; a published version is not re-checked."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.validation import validate_source

TEXT = """name: legal_review
title: {zh: 法务审核, en: Legal review}
start: [admin]
states:
  - name: open
    initial: true
    tasks:
      - {name: check, title: {zh: 审核, en: Check}, groups: [legal], due: 2 days, escalate_to: region:east}
  - {name: done, final: true}
transitions:
  - {trigger: finish, source: open, dest: done, allowed: [group:legal]}
"""
REGISTRY = build_registry()


def _problems(groups: frozenset[str] | None, *, any_group: bool = False) -> list[tuple[str, int | None, str]]:
    result = validate_source(TEXT, REGISTRY.vocabulary(groups, any_group=any_group))
    return [(p.path, p.line, p.message) for p in result.problems]


def test_a_group_the_database_does_not_know_is_a_problem_at_each_line_that_names_it() -> None:
    assert _problems(frozenset({"market", "region:east"})) == [
        ("transitions[0].allowed[0]", 11, "unknown group 'legal'"),
        ("states[0].tasks[0].groups[0]", 8, "unknown group 'legal'")]


def test_once_the_group_exists_the_definition_is_valid() -> None:
    assert _problems(frozenset({"legal", "region:east"})) == []


def test_a_region_the_database_does_not_know_is_unknown_too() -> None:
    assert _problems(frozenset({"legal"})) == [("states[0].tasks[0].escalate_to", 8, "unknown group 'region:east'")]


def test_without_a_database_the_shipped_groups_and_any_region_are_known() -> None:
    assert {message for _, _, message in _problems(None)} == {"unknown group 'legal'"}


def test_a_published_version_compiled_again_is_not_checked_for_groups() -> None:
    assert _problems(frozenset(), any_group=True) == []
