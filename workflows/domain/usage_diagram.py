"""A definition drawn with its use: a Mermaid flowchart whose edges carry how often each transition
was taken (thicker and darker with use, dashed when never) and whose states are shaded by the
median working hours spent in them. Mermaid state diagrams cannot style single edges, so this is a
flowchart of the same states and transitions as `diagram.mermaid`."""

from __future__ import annotations

from collections.abc import Mapping

from workflows.domain.definition import WorkflowDefinition
from workflows.domain.diagram import _label
from workflows.domain.validation import expand_sources

SHADES = ("#ffffff", "#fdeed9", "#fbd3a5", "#f6a96b", "#e9773a")  # none ... the longest median
EDGE_COLOURS = ("#b7bfcc", "#8f9bb0", "#5d6d8a", "#34476b", "#14315f")  # least ... most used
MAX_EDGE_WIDTH = 8


def _safe(text: str) -> str:
    """Text that cannot end a quoted Mermaid label or start an entity."""
    return text.replace('"', "'").replace("#", "＃").replace("\n", " ").strip()


def _step(value: float, top: float, steps: int) -> int:
    """0 for nothing, else 1..steps-1 by the share of `top`."""
    if value <= 0 or top <= 0:
        return 0
    return max(1, min(steps - 1, round(value / top * (steps - 1))))


def usage_mermaid(definition: WorkflowDefinition, *, uses: Mapping[tuple[str, str, str], int],
                  median_hours: Mapping[str, float | None], locale: str = "en") -> str:
    """`flowchart LR` text: `uses` by (source, trigger, dest), `median_hours` by state."""
    lines = ["flowchart LR", '    __start(("start"))']
    longest = max((h or 0.0 for h in median_hours.values()), default=0.0)
    for state in definition.states:
        title = _safe(state.title.get(locale) if state.title else state.name)
        hours = median_hours.get(state.name)
        text = title if hours is None else f"{title} · p50 {hours:g} h"
        shape = ('(["', '"])') if state.final else ('["', '"]')
        lines.append(f"    {state.name}{shape[0]}{text}{shape[1]}")
        fill = SHADES[_step(hours or 0.0, longest, len(SHADES))]
        lines.append(f"    style {state.name} fill:{fill},stroke:#14315f")
    edges: list[tuple[str, str | None, str, int]] = [("__start", None, definition.initial_state.name, 0)]
    for transition in definition.transitions:
        for source in expand_sources(definition, transition.source):
            count = uses.get((source, transition.trigger, transition.dest), 0)
            edges.append((source, _safe(_label(transition, locale)), transition.dest, count))
    most = max((count for *_, count in edges), default=0)
    for index, (source, label, dest, count) in enumerate(edges):
        if label is None:
            lines.append(f"    {source} --> {dest}")
            continue
        lines.append(f'    {source} -->|"{label} · {count}"| {dest}')
        width = 1 + round((MAX_EDGE_WIDTH - 1) * count / most) if most else 1
        colour = EDGE_COLOURS[_step(count, most, len(EDGE_COLOURS))]
        dash = ",stroke-dasharray:4 4" if count == 0 else ""
        lines.append(f"    linkStyle {index} stroke-width:{width}px,stroke:{colour}{dash}")
    lines.append("    style __start fill:#14315f,stroke:#14315f,color:#ffffff")
    return "\n".join(lines) + "\n"
