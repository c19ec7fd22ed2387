"""DOT source for the SVG drawing of a definition."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.definition import WorkflowDefinition
from workflows.domain.diagram import _quoted, graphviz_dot
from workflows.domain.validation import validate_source
from workflows.services.definitions import shipped_source


def parsed(name: str) -> WorkflowDefinition:
    groups = frozenset({"market", "sales", "finance", "it", "committee"})
    result = validate_source(shipped_source(name), build_registry().vocabulary(groups))
    assert result.definition is not None, result.problems
    return result.definition


def test_every_state_and_every_expanded_transition_is_drawn() -> None:
    dot = graphviz_dot(parsed("channel_onboarding"), locale="en")
    assert '"under_review" -> "approved" [label="Approve"];' in dot
    assert '"under_review" -> "approved" [label="通过"];' in graphviz_dot(parsed("channel_onboarding"), locale="zh")
    assert '"changes_requested" -> "withdrawn" [label="Withdraw"];' in dot
    assert '"__start" -> "draft";' in dot
    assert 'label="Under review"' in dot


def test_the_current_state_is_filled_and_final_states_have_a_double_border() -> None:
    dot = graphviz_dot(parsed("channel_onboarding"), current="under_review", locale="zh")
    current = next(line for line in dot.splitlines() if line.startswith('  "under_review" ['))
    assert 'fillcolor="#f9d77e"' in current
    approved = next(line for line in dot.splitlines() if line.startswith('  "approved" ['))
    assert "peripheries=2" in approved and "#f9d77e" not in approved


def test_quotes_in_titles_cannot_break_the_dot_source() -> None:
    assert _quoted('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'
