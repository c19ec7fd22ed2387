"""Definition validation reports every problem, each with its place in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelops.bootstrap import build_registry
from workflows.domain.validation import ValidationResult, validate_source

VOCABULARY = build_registry().vocabulary()
GOOD = """\
name: demo
title: {zh: 演示, en: Demo}
states:
  - {name: open, initial: true}
  - {name: done, final: true}
transitions:
  - {trigger: finish, source: open, dest: done, allowed: [requester]}
"""


def check(text: str) -> ValidationResult:
    return validate_source(text, VOCABULARY)


def messages(text: str) -> dict[str, str]:
    return {p.path: p.message for p in check(text).problems}


@pytest.mark.parametrize("name", ["channel_onboarding", "complaint", "card_escalation", "channel_lifecycle"])
def test_every_shipped_definition_is_valid(name: str) -> None:
    path = Path(__file__).parents[2] / "workflows" / "definitions" / f"{name}.yaml"
    assert check(path.read_text(encoding="utf-8")).problems == []


def test_a_minimal_definition_is_valid() -> None:
    assert check(GOOD).valid


def test_an_unknown_destination_is_reported_at_its_path_and_line() -> None:
    [problem] = check(GOOD.replace("dest: done", "dest: dne")).problems[:1]
    assert (problem.path, problem.message, problem.line) == ("transitions[0].dest", "unknown state 'dne'", 7)


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = GOOD.replace("dest: done", "dest: dne").replace("[requester]", "[group:nobody, guru]")
    found = messages(text)
    assert found["transitions[0].dest"] == "unknown state 'dne'"
    assert found["transitions[0].allowed[0]"] == "unknown group 'nobody'"
    assert found["transitions[0].allowed[1]"].startswith("unknown principal 'guru'")
    assert found["states[1].name"] == "state 'done' cannot be reached from 'open'"


def test_a_state_with_no_way_out_that_is_not_final_is_reported() -> None:
    text = GOOD.replace("  - {name: done, final: true}", "  - {name: done, final: true}\n  - {name: stuck}")
    text += "  - {trigger: stall, source: open, dest: stuck}\n"
    assert messages(text)["states[2].name"] == "state 'stuck' has no way out and is not final"


def test_duplicate_state_names_are_reported() -> None:
    text = GOOD.replace("  - {name: done, final: true}", "  - {name: done, final: true}\n  - {name: open}")
    assert messages(text)["states[2].name"] == "duplicate state name 'open'"


def test_a_timer_firing_a_trigger_that_does_not_exist_is_reported() -> None:
    text = GOOD.replace("{name: open, initial: true}",
                        "{name: open, initial: true, timers: [{name: t, after: 2 days, fire: expire}]}")
    assert messages(text)["states[0].timers[0].fire"] == "unknown trigger 'expire'"


def test_bad_durations_and_unknown_guards_are_reported() -> None:
    text = GOOD.replace("{name: open, initial: true}",
                        "{name: open, initial: true, timers: [{name: t, after: 3 working months, fire: finish}]}")
    text = text.replace("allowed: [requester]}", "allowed: [requester], guards: [is_friday]}")
    found = messages(text)
    assert "working time is counted in minutes, hours or days" in found["states[0].timers[0].after"]
    assert found["transitions[0].guards[0]"] == "unknown guard 'is_friday'"


def test_an_unknown_key_is_reported_where_it_stands() -> None:
    found = messages(GOOD.replace("allowed: [requester]", "alowed: [requester]"))
    assert found["transitions[0].alowed"] == "Extra inputs are not permitted"


def test_malformed_yaml_is_reported_with_its_line() -> None:
    [problem] = check("name: x\nstates: [\n").problems
    assert problem.message.startswith("not valid YAML") and problem.line == 3


def test_a_document_that_is_not_a_mapping_is_refused() -> None:
    assert check("- a\n- b\n").problems[0].message == "expected a mapping at the top"


def test_sla_goals_need_a_goal_for_every_value_of_their_field() -> None:
    text = GOOD + """fields:
  severity: {enum: [high, low], required: true}
sla:
  - {name: s, start: [open], stop: [done], goal_by: severity, goals: {high: 4 working hours}}
"""
    assert messages(text)["sla[0].goals"] == "no goal for severity='low'"


def test_a_star_transition_overlapping_another_with_the_same_trigger_is_reported() -> None:
    text = GOOD + "  - {trigger: finish, source: '*', dest: done}\n"
    assert messages(text)["transitions[1].source[0]"] == "trigger 'finish' from 'open' is defined twice"


def test_an_assignee_must_be_the_requester_or_a_data_field() -> None:
    text = GOOD.replace("{name: open, initial: true}",
                        "{name: open, initial: true, tasks: [{name: t, assignee: 'group:market'}]}")
    assert messages(text)["states[0].tasks[0].assignee"] == "an assignee is `requester` or `data:<field>`"


def test_approval_reminders_need_a_due_duration_and_valid_durations() -> None:
    approval = "approval: {group: committee, remind_before: [2 fortnights]}"
    text = GOOD.replace("allowed: [requester]}", f"allowed: [requester], {approval}}}")
    found = messages(text)
    assert found["transitions[0].approval.due"] == "reminders need a due duration"
    assert "transitions[0].approval.remind_before[0]" in found
