"""The channel pack's own workflow definition and the effect names the shipped ones use."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from channels.definitions import CHANNEL_DEFINITIONS
from workflows.domain.validation import validate_source
from workflows.services.definitions import shipped_source

VOCABULARY = build_registry().vocabulary()


def test_the_emergency_response_definition_is_valid_in_zh_and_en() -> None:
    for name in CHANNEL_DEFINITIONS:
        result = validate_source(shipped_source(name), VOCABULARY)
        assert result.problems == []
        assert result.definition is not None
        assert all(state.title and state.title.zh and state.title.en for state in result.definition.states)


def test_every_channel_effect_is_registered() -> None:
    assert {"activate_channel", "sync_channel_stage", "card_none", "card_yellow", "card_red",
            "exit_channel"} <= set(build_registry().effects)
