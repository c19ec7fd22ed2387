"""Draw a definition: a Mermaid state diagram, or Graphviz DOT source (rendered to SVG by an adapter)."""

from __future__ import annotations

from workflows.domain.definition import TransitionDef, WorkflowDefinition
from workflows.domain.validation import expand_sources


def _label(transition: TransitionDef, locale: str) -> str:
    """The transition's title in `locale` when it has one, else its trigger name; Mermaid-safe."""
    text = transition.title.get(locale) if transition.title else transition.trigger
    return text.replace(":", " ").replace(";", ",").replace("\n", " ").strip() or transition.trigger


def mermaid(definition: WorkflowDefinition, *, current: str | None = None, locale: str = "en") -> str:
    """`stateDiagram-v2` text; `current` is highlighted with a class."""
    lines = ["stateDiagram-v2"]
    for state in definition.states:
        label = state.title.get(locale) if state.title else state.name
        lines.append(f'    state "{label}" as {state.name}')
    lines.append(f"    [*] --> {definition.initial_state.name}")
    # One edge per pair of states, its labels joined: Mermaid draws parallel edges' labels on top
    # of each other (the labels overlapped on the complaint and lifecycle diagrams).
    edges: dict[tuple[str, str], list[str]] = {}
    for transition in definition.transitions:
        for source in expand_sources(definition, transition.source):
            labels = edges.setdefault((source, transition.dest), [])
            if (label := _label(transition, locale)) not in labels:
                labels.append(label)
    for (source, dest), labels in edges.items():
        lines.append(f"    {source} --> {dest}: {' / '.join(labels)}")
    for state in definition.states:
        if state.final:
            lines.append(f"    {state.name} --> [*]")
    if current:
        lines.append("    classDef current fill:#f9d77e,stroke:#b8860b,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def graphviz_dot(definition: WorkflowDefinition, *, current: str | None = None, locale: str = "en") -> str:
    """DOT source of the state diagram, left to right; `current` is filled and drawn bold."""
    lines = [
        "digraph workflow {",
        '  graph [rankdir=LR, fontname="Noto Sans CJK SC,Helvetica,Arial,sans-serif", bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#14315f", '
        'fontname="Noto Sans CJK SC,Helvetica,Arial,sans-serif", fontsize=11];',
        '  edge [color="#55657f", fontname="Helvetica,Arial,sans-serif", fontsize=9];',
        '  "__start" [shape=circle, label="", width=0.18, style=filled, fillcolor="#14315f"];',
    ]
    for state in definition.states:
        label = state.title.get(locale) if state.title else state.name
        attrs = [f"label={_quoted(label)}", f"id={_quoted('state_' + state.name)}"]
        if state.final:
            attrs.append("peripheries=2")
        if state.name == current:
            attrs += ['fillcolor="#f9d77e"', 'color="#b8860b"', "penwidth=3"]
        lines.append(f"  {_quoted(state.name)} [{', '.join(attrs)}];")
    lines.append(f"  \"__start\" -> {_quoted(definition.initial_state.name)};")
    for transition in definition.transitions:
        for source in expand_sources(definition, transition.source):
            label = _quoted(_label(transition, locale))
            lines.append(f"  {_quoted(source)} -> {_quoted(transition.dest)} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
