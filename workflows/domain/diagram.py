"""Draw a definition: a Mermaid state diagram, or Graphviz DOT source (rendered to SVG by an adapter)."""

from __future__ import annotations

from workflows.domain.definition import TransitionDef, WorkflowDefinition
from workflows.domain.group_titles import group_title
from workflows.domain.validation import expand_sources


def _label(transition: TransitionDef, locale: str) -> str:
    """The transition's title in `locale` when it has one, else its trigger name; Mermaid-safe."""
    text = transition.title.get(locale) if transition.title else transition.trigger
    return text.replace(":", " ").replace(";", ",").replace("\n", " ").strip() or transition.trigger


def variant_notes(definition: WorkflowDefinition, *, locale: str = "en") -> dict[str, list[str]]:
    """State -> what its variants change in it, e.g. `部门审核 + 信息技术部（仅线上渠道）` /
    `Department review + IT (Online channels only)`: extra reviewers, other due durations, timers."""
    zh = locale.startswith("zh")
    notes: dict[str, list[str]] = {}
    for variant in definition.variants:
        only = f"（仅{variant.title.zh}）" if zh else f" ({variant.title.en} only)"
        for state in definition.states:
            for task in state.tasks:
                override = variant.tasks.get(task.name)
                if override is None:
                    continue
                title = task.title.get(locale) if task.title else task.name
                if override.add_groups:
                    groups = ("、" if zh else ", ").join(group_title(g)[0 if zh else 1] for g in override.add_groups)
                    notes.setdefault(state.name, []).append(f"{title} + {groups}{only}")
                if override.due:
                    notes.setdefault(state.name, []).append(f"{title} {'期限' if zh else 'due'} {override.due}{only}")
            for timer in state.timers:
                after = variant.timers.get(state.name, {}).get(timer.name)
                if after:
                    notes.setdefault(state.name, []).append(f"{'定时' if zh else 'timer'} {after}{only}")
    return notes


def _note(text: str) -> str:
    return text.replace(":", " ").replace(";", ",").replace("\n", " ").strip()


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
    for state_name, texts in variant_notes(definition, locale=locale).items():
        for text in texts:
            lines.append(f"    note right of {state_name} : {_note(text)}")
    if current:
        lines.append("    classDef current fill:#f9d77e,stroke:#b8860b,stroke-width:3px")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lines(texts: list[str]) -> str:
    """A DOT label of several lines (`\\n` breaks them)."""
    return '"' + "\\n".join(t.replace("\\", "\\\\").replace('"', '\\"') for t in texts) + '"'


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
    for state_name, texts in variant_notes(definition, locale=locale).items():
        note = _quoted("note_" + state_name)
        lines.append(f"  {note} [shape=note, style=filled, fillcolor=\"#fff8dc\", fontsize=9, "
                     f"label={_lines(texts)}, id={note}];")
        lines.append(f"  {_quoted(state_name)} -> {note} [style=dashed, arrowhead=none];")
    lines.append("}")
    return "\n".join(lines) + "\n"
