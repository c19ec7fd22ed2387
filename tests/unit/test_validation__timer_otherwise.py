"""A timer's `otherwise` trigger (fired when a guard refuses its `fire`) is checked like `fire`."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.validation import validate_source

VOCABULARY = build_registry().vocabulary()
TEXT = """\
name: demo
title: {{zh: 演示, en: Demo}}
states:
  - {{name: open, initial: true, timers: [{{name: t, after: 2 days, fire: finish, otherwise: {otherwise}}}]}}
  - {{name: done}}
  - {{name: closed, final: true}}
transitions:
  - {{trigger: finish, source: open, dest: done, guards: [improvement_missed]}}
  - {{trigger: close, source: open, dest: closed}}
  - {{trigger: later, source: done, dest: closed}}
"""


def problems(otherwise: str) -> dict[str, str]:
    return {p.path: p.message for p in validate_source(TEXT.format(otherwise=otherwise), VOCABULARY).problems}


def test_a_timer_may_name_a_trigger_to_fire_when_a_guard_refuses_its_own() -> None:
    assert problems("close") == {}


def test_an_unknown_otherwise_trigger_is_reported_at_its_place() -> None:
    assert problems("escape") == {"states[0].timers[0].otherwise": "unknown trigger 'escape'"}


def test_an_otherwise_trigger_that_cannot_leave_the_timers_state_is_reported() -> None:
    assert problems("later") == {
        "states[0].timers[0].otherwise": "trigger 'later' cannot be fired from state 'open'"}
