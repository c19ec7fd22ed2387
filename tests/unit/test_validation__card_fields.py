"""`card_fields` names the declared fields an inbox card shows; anything else is reported at its place."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.validation import validate_source

VOCABULARY = build_registry().vocabulary()
BASE = """\
name: demo
title: {zh: 演示, en: Demo}
fields:
  amount: {type: number, title: {zh: 金额, en: Amount}}
  owner: {type: string}
card_fields: CARD
states:
  - {name: open, initial: true}
  - {name: done, final: true}
transitions:
  - {trigger: finish, source: open, dest: done, allowed: [requester]}
"""


def problems(card: str) -> dict[str, str]:
    return {p.path: p.message for p in validate_source(BASE.replace("CARD", card), VOCABULARY).problems}


def test_declared_card_fields_are_valid_and_kept_in_their_order() -> None:
    result = validate_source(BASE.replace("CARD", "[owner, amount]"), VOCABULARY)
    assert result.problems == [] and result.definition is not None
    assert result.definition.card_fields == ["owner", "amount"]


def test_an_undeclared_or_repeated_card_field_is_reported_at_its_place() -> None:
    assert problems("[amount, budget, amount]") == {
        "card_fields[1]": "unknown field 'budget': declare it under `fields`",
        "card_fields[2]": "field 'amount' is named twice"}


def test_a_card_holds_at_most_six_fields() -> None:
    many = "\n".join(f"  f{i}: {{type: string}}" for i in range(7))
    text = BASE.replace("  owner: {type: string}", "  owner: {type: string}\n" + many).replace(
        "CARD", "[" + ", ".join(f"f{i}" for i in range(7)) + "]")
    assert {p.path: p.message for p in validate_source(text, VOCABULARY).problems} == {
        "card_fields": "at most 6 fields fit on a card"}
