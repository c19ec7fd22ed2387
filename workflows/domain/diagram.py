"""Draw a definition as a Mermaid state diagram."""

from __future__ import annotations

from workflows.domain.definition import WorkflowDefinition
from workflows.domain.validation import expand_sources


def mermaid(definition: WorkflowDefinition, *, current: str | None = None, locale: str = "en") -> str:
    """`stateDiagram-v2` text; `current` is highlighted with a class."""
    lines = ["stateDiagram-v2"]
    for state in definition.states:
        label = state.title.get(locale) if state.title else state.name
        lines.append(f'    state "{label}" as {state.name}')
    lines.append(f"    [*] --> {definition.initial_state.name}")
    for transition in definition.transitions:
        for source in expand_sources(definition, transition.source):
            lines.append(f"    {source} --> {transition.dest}: {transition.trigger}")
    for state in definition.states:
        if state.final:
            lines.append(f"    {state.name} --> [*]")
    if current:
        lines.append("    classDef current fill:#f9d77e,stroke:#b8860b,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"
