"""Variants of a definition (per channel type) are checked like the rest: every problem at its line."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.validation import ValidationResult, validate_source
from workflows.services.definitions import shipped_source

VOCABULARY = build_registry().vocabulary()
BASE = """\
name: review
title: {zh: 审核, en: Review}
subject: channel
fields:
  note: {type: string}
  severity: {type: string, enum: [high, low], required: true}
states:
  - name: open
    initial: true
    tasks:
      - {name: check, groups: [market, sales], due: 3 working days, decisions: [approve], outcomes: {approve: done}}
    timers:
      - {name: lapse, after: 30 days, fire: drop}
  - {name: closed, final: true}
transitions:
  - {trigger: done, source: open, dest: closed}
  - {trigger: drop, source: open, dest: closed}
sla:
  - {name: answer, start: [open], stop: [closed], goal_by: severity, goals: {high: 4 working hours, low: 2 days}}
  - {name: overall, start: [open], stop: [closed], goal: 10 days}
variants:
"""
ONLINE = """\
  - name: online
    title: {zh: 线上渠道, en: Online channels}
    when: {channel_type: [ecommerce, social]}
    tasks:
      check: {add_groups: [it], due: 2 working days}
    timers:
      open: {lapse: 10 days}
    sla:
      answer: {goals: {high: 2 working hours}}
      overall: {goal: 5 days}
    fields:
      note: {required: true}
"""


def check(text: str) -> ValidationResult:
    return validate_source(text, VOCABULARY)


def problems(text: str) -> list[tuple[str, str, int | None]]:
    return [(p.path, p.message, p.line) for p in check(text).problems]


def test_a_variant_with_every_kind_of_override_is_valid_and_applies_them() -> None:
    result = check(BASE + ONLINE)
    assert result.problems == []
    assert result.definition is not None
    online = result.definition.with_variant(result.definition.variants[0])
    [task] = online.state("open").tasks
    assert (task.groups, task.due) == (["market", "sales", "it"], "2 working days")
    assert online.state("open").timers[0].after == "10 days"
    assert online.sla[0].goals == {"high": "2 working hours", "low": "2 days"}
    assert online.sla[1].goal == "5 days"
    assert online.fields["note"].required is True
    assert online.variants == []


def test_the_shipped_onboarding_and_complaint_declare_their_channel_type_variants() -> None:
    onboarding = check(shipped_source("channel_onboarding")).definition
    complaint = check(shipped_source("complaint")).definition
    assert onboarding is not None and complaint is not None
    assert [(v.name, v.title.zh, v.title.en, v.when) for v in onboarding.variants] == [
        ("online", "线上渠道", "Online channels", {"channel_type": ["ecommerce", "social"]})]
    assert onboarding.select_variant({"channel_type": "social"}) is onboarding.variants[0]
    assert onboarding.select_variant({"channel_type": "agent"}) is None
    assert [(v.name, v.when) for v in complaint.variants] == [("direct_store", {"channel_type": ["direct_store"]})]


def test_an_unknown_attribute_is_reported_at_its_line() -> None:
    text = BASE + ONLINE.replace("when: {channel_type:", "when: {chanel_type:")
    assert ("variants[0].when.chanel_type", "unknown attribute 'chanel_type' of subject 'channel' "
            "(known: channel_type)", 24) in problems(text)


def test_an_unknown_value_is_reported_at_its_line() -> None:
    text = BASE + ONLINE.replace("[ecommerce, social]", "[ecommerce, online_shop]")
    assert problems(text) == [("variants[0].when.channel_type[1]", "unknown channel_type 'online_shop' "
                               "(known: direct_store, agent, ecommerce, social)", 24)]


def test_overlapping_variants_are_reported_at_the_later_one() -> None:
    text = BASE + ONLINE + """\
  - name: social
    title: {zh: 社交电商, en: Social sellers}
    when:
      channel_type: [social]
    sla:
      overall: {goal: 3 days}
"""
    assert problems(text) == [("variants[1].when", "overlaps variant 'online': a subject with "
                               "channel_type=social would match both", 36)]


def test_variants_with_disjoint_values_do_not_overlap() -> None:
    text = BASE + ONLINE + """\
  - name: stores
    title: {zh: 直营店, en: Direct stores}
    when: {channel_type: direct_store}
    sla:
      overall: {goal: 3 days}
"""
    assert problems(text) == []
    definition = check(text).definition
    assert definition is not None and definition.variants[1].when == {"channel_type": ["direct_store"]}


def test_unknown_overrides_are_reported_each_at_its_line() -> None:
    text = BASE + """\
  - name: online
    title: {zh: 线上渠道, en: Online channels}
    when: {channel_type: [ecommerce]}
    tasks:
      chek: {add_groups: [it]}
      check: {add_groups: [market, legal], due: 2 business days}
    timers:
      closed: {lapse: 1 day}
      open: {lapsed: 1 day}
    sla:
      answer: {goal: 1 working hour, goals: {urgent: 1 working hour}}
      overall: {goals: {high: 1 day}}
      speed: {goal: 1 day}
    fields:
      notes: {required: true}
"""
    found = problems(text)
    assert ("variants[0].tasks.chek", "unknown task 'chek'", 26) in found
    assert ("variants[0].tasks.check.add_groups[0]", "group 'market' is already a candidate of 'check'", 27) in found
    assert ("variants[0].tasks.check.add_groups[1]", "unknown group 'legal'", 27) in found
    assert ("variants[0].tasks.check.due", "bad duration '2 business days': expected e.g. '3 working days', "
            "'4 working hours', '7 days'", 27) in found
    assert ("variants[0].timers.closed", "unknown state 'closed'", 29) not in found  # closed is a state
    assert ("variants[0].timers.closed.lapse", "state 'closed' has no timer 'lapse'", 29) in found
    assert ("variants[0].timers.open.lapsed", "state 'open' has no timer 'lapsed'", 30) in found
    assert ("variants[0].sla.answer.goal", "goal 'answer' has a budget per severity: change `goals`", 32) in found
    assert ("variants[0].sla.answer.goals.urgent", "goal 'answer' has no budget for severity='urgent'", 32) in found
    assert ("variants[0].sla.overall.goals", "goal 'overall' has one budget: change `goal`", 33) in found
    assert ("variants[0].sla.speed", "unknown SLA goal 'speed'", 34) in found
    assert ("variants[0].fields.notes", "unknown field 'notes'", 36) in found


def test_an_override_key_the_format_does_not_have_is_a_shape_error_at_its_line() -> None:
    text = BASE + ONLINE.replace("      check: {add_groups: [it], due: 2 working days}",
                                 "      check: {add_groups: [it], policy: any}")
    assert problems(text) == [("variants[0].tasks.check.policy", "Extra inputs are not permitted", 26)]


def test_variants_need_a_subject_whose_attributes_are_known() -> None:
    text = (BASE + ONLINE).replace("subject: channel", "subject: shop")
    assert ("subject", "variants select on the subject's attributes: `subject` must name a subject type with "
            "known attributes (known: channel)", 3) in problems(text)


def test_a_variant_that_selects_on_nothing_is_refused() -> None:
    text = BASE + ONLINE.replace("when: {channel_type: [ecommerce, social]}", "when: {}")
    assert ("variants[0].when", "a variant needs at least one attribute to select it, e.g. "
            "{channel_type: [ecommerce]}", 24) in problems(text)


def test_two_variants_with_the_same_name_are_reported() -> None:
    text = BASE + ONLINE + ONLINE.replace("[ecommerce, social]", "[agent]")
    assert ("variants[1].name", "duplicate variant name 'online'", 34) in problems(text)
