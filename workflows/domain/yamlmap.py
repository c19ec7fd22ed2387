"""Read YAML once, safely, and remember the line of every node, so problems can point at a line.

The text is read as a stream of parser events (libyaml's C parser where PyYAML has it) and built
into plain data without recursion. What could make a small text grow large or deep is refused at
its line: anchors and aliases (an alias bomb of a few hundred bytes expands to gigabytes), nesting
deeper than `MAX_DEPTH`, more than `MAX_NODES` nodes, tags other than YAML's plain ones, merge keys,
complex keys and more than one document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path = tuple[str | int, ...]
MAX_DEPTH = 64
MAX_NODES = 20_000
_Loader: type[Any] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class YamlRefused(yaml.YAMLError):
    """YAML that is well-formed but not accepted here; `line` is 1-based."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def path_text(path: Path) -> str:
    """`("transitions", 3, "dest")` -> `transitions[3].dest`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(document)"


@dataclass
class _Frame:
    """An open mapping or sequence; a mapping waits for a value while `key` is set."""

    value: dict[Any, Any] | list[Any]
    path: Path
    key: Any = None
    key_line: int = 0
    awaiting_value: bool = False


def _line(event: yaml.Event) -> int:
    mark: Any = event.start_mark
    return int(mark.line) + 1 if mark is not None else 0


class _Builder:
    def __init__(self, loader: Any, *, max_depth: int, max_nodes: int) -> None:
        self.loader = loader
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.stack: list[_Frame] = []
        self.lines: dict[Path, int] = {}
        self.nodes = 0
        self.documents = 0
        self.root: Any = None

    def run(self) -> tuple[Any, dict[Path, int]]:
        while (event := self.loader.get_event()) is not None:
            self.event(event)
        return self.root, self.lines

    def event(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlRefused("only one document is allowed", _line(event))
        elif isinstance(event, yaml.AliasEvent):
            raise YamlRefused(f"aliases (*{event.anchor}) are not allowed", _line(event))
        elif isinstance(event, yaml.ScalarEvent):
            self.node(event, self.scalar(event))
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.open(event)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            if not self.stack:
                self.root = frame.value
            else:
                self.place(frame.value, frame.path)

    def check_node(self, event: yaml.NodeEvent) -> None:
        if event.anchor is not None:
            raise YamlRefused(f"anchors (&{event.anchor}) are not allowed", _line(event))
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise YamlRefused(f"more than {self.max_nodes} values", _line(event))

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        self.check_node(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _MERGE:
            raise YamlRefused("merge keys (<<) are not allowed", _line(event))
        construct = self.loader.yaml_constructors.get(tag)
        if construct is None or tag in (_MAP, _SEQ) or not tag.startswith("tag:yaml.org,2002:"):
            raise YamlRefused(f"the tag {event.tag!r} is not allowed", _line(event))
        marks: tuple[Any, Any] = (event.start_mark, event.end_mark)
        node = yaml.ScalarNode(tag, event.value, *marks, style=event.style)
        return construct(self.loader, node)

    def open(self, event: yaml.CollectionStartEvent) -> None:
        self.check_node(event)
        plain = _MAP if isinstance(event, yaml.MappingStartEvent) else _SEQ
        if event.tag not in (None, "!", plain):
            raise YamlRefused(f"the tag {event.tag!r} is not allowed", _line(event))
        if len(self.stack) >= self.max_depth:
            raise YamlRefused(f"nested deeper than {self.max_depth} levels", _line(event))
        if self.stack and not self.stack[-1].awaiting_value and isinstance(self.stack[-1].value, dict):
            raise YamlRefused("a key must be plain text, not a mapping or a list", _line(event))
        path = self.child_path(event)
        self.lines[path] = self.stack[-1].key_line if self.stack and self.stack[-1].awaiting_value else _line(event)
        self.stack.append(_Frame({} if plain == _MAP else [], path))

    def child_path(self, event: yaml.Event) -> Path:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value))
        return (*frame.path, str(frame.key))

    def node(self, event: yaml.ScalarEvent, value: Any) -> None:
        if not self.stack:
            self.lines[()] = _line(event)
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.value, dict) and not frame.awaiting_value:
            try:
                hash(value)
            except TypeError:
                raise YamlRefused("a key must be plain text", _line(event)) from None
            frame.key, frame.key_line, frame.awaiting_value = value, _line(event), True
            return
        path = self.child_path(event)
        self.lines[path] = frame.key_line if isinstance(frame.value, dict) else _line(event)
        self.place(value, path)

    def place(self, value: Any, path: Path) -> None:
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
        else:
            frame.value[frame.key] = value
            frame.awaiting_value = False
            self.lines[path] = frame.key_line


def load_with_lines(text: str, *, max_depth: int = MAX_DEPTH,
                    max_nodes: int = MAX_NODES) -> tuple[Any, dict[Path, int]]:
    """Parse `text` once, safely; return the data and a map from path to 1-based line.

    Raises:
        yaml.YAMLError: the text is not YAML, or it is refused (`YamlRefused`, with its line).
    """
    loader = _Loader(text)
    try:
        return _Builder(loader, max_depth=max_depth, max_nodes=max_nodes).run()
    finally:
        loader.dispose()


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
