"""The diagram weighted by use: counts on the edges, thicker and darker with use, states shaded by time."""

from __future__ import annotations

from channelops.bootstrap import build_registry
from workflows.domain.definition import WorkflowDefinition
from workflows.domain.usage_diagram import usage_mermaid
from workflows.domain.validation import validate_source
from workflows.services.definitions import shipped_source


def onboarding() -> WorkflowDefinition:
    groups = frozenset({"market", "sales", "finance", "it", "committee"})
    result = validate_source(shipped_source("channel_onboarding"), build_registry().vocabulary(groups))
    assert result.definition is not None, result.problems
    return result.definition


def test_edges_carry_their_counts_and_the_most_used_is_the_thickest() -> None:
    text = usage_mermaid(onboarding(),
                         uses={("draft", "submit", "under_review"): 10, ("changes_requested", "resubmit",
                                                                          "under_review"): 5},
                         median_hours={"under_review": 18.0, "draft": 1.0}, locale="zh")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '    draft -->|"提交 · 10"| under_review' in lines
    assert "    linkStyle 1 stroke-width:8px,stroke:#14315f" in lines
    resubmit = lines.index('    changes_requested -->|"重新提交 · 5"| under_review')
    assert lines[resubmit + 1].startswith("    linkStyle ") and "stroke-width:5px" in lines[resubmit + 1]
    assert '    under_review -->|"驳回 · 0"| rejected' in lines  # never used: thin and dashed
    assert any("stroke-dasharray:4 4" in line for line in lines)


def test_states_are_shaded_by_their_median_time_and_final_states_are_rounded() -> None:
    text = usage_mermaid(onboarding(), uses={}, median_hours={"under_review": 18.0, "draft": 1.0}, locale="en")
    assert '    under_review["Under review · p50 18 h"]' in text
    assert "    style under_review fill:#e9773a,stroke:#14315f" in text  # the longest
    assert "    style draft fill:#fdeed9,stroke:#14315f" in text
    assert "    style changes_requested fill:#ffffff,stroke:#14315f" in text  # no time
    assert '    approved(["Approved"])' in text
