"""Read YAML and remember the line of every node, so problems can point at a line."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


def path_text(path: Path) -> str:
    """`("transitions", 3, "dest")` -> `transitions[3].dest`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                _walk(value, child, lines)
                lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse `text` safely; return the data and a map from path to 1-based line.

    Raises:
        yaml.YAMLError: the text is not YAML.
    """
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return yaml.safe_load(text), lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
