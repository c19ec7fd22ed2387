"""Who may import whom, read from the source: the layers of docs/architecture.md, and no circles.

Every import statement counts, wherever it stands: at the top, inside a function (a "late"
import only hides a circle) or under `if TYPE_CHECKING:` (a type is a dependency too). A module
is placed in a layer by its dotted name (`LAYERS`); `ALLOWED` says which other layers each one
may import. The rules, as in docs/architecture.md:

- `workflows.domain` imports nothing of ours; the engine, persistence and adapters import only
  the domain; the services import those four. The engine does not import persistence.
- `channels` imports `workflows`; `workflows` never imports `channels`.
- `api` imports `channels`, `workflows.services` and `workflows.domain`, and from `channelops`
  only the settings.
- `flows` are process entry points (Prefect imports them by module path in processes of its own):
  besides what `api` may import, they build their services with `channelops.bootstrap` and pick
  an adapter (the notifier). `api` and `flows` never import each other.
- `channelops` is the composition root: `channelops.settings` imports nothing of ours,
  `channelops.bootstrap` wires `channels` and `workflows`, and the entry modules (the CLI, the
  server, the scheduler) import anything. Nothing else imports an entry module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workflows", "channels", "api", "flows", "channelops")
WORKFLOWS = {"workflows.domain", "workflows.definitions", "workflows.engine", "workflows.persistence",
             "workflows.adapters", "workflows.services"}
ENTRY = "channelops (entry points)"
ALLOWED: dict[str, set[str]] = {
    "workflows.domain": set(),
    "workflows.definitions": set(),
    "workflows.engine": {"workflows.domain"},
    "workflows.persistence": {"workflows.domain"},
    "workflows.adapters": {"workflows.domain"},
    "workflows.services": {"workflows.domain", "workflows.engine", "workflows.persistence", "workflows.adapters",
                           "workflows.definitions"},
    "channels": WORKFLOWS,
    "api": {"channels", "workflows.services", "workflows.domain", "channelops.settings"},
    "flows": {"channels", "workflows.services", "workflows.domain", "workflows.adapters", "channelops.settings",
              "channelops.bootstrap"},
    "channelops.settings": set(),
    "channelops.bootstrap": {"channelops.settings", "channels", *WORKFLOWS},
    ENTRY: {"channelops.settings", "channelops.bootstrap", "channels", "api", "flows", *WORKFLOWS},
}
# Third-party frameworks stay at the edges (style.md): which layers may import them.
FRAMEWORKS = {"prefect": {"flows"}, "apprise": {"workflows.adapters"},
              "fastapi": {"api", ENTRY}, "starlette": {"api", ENTRY}}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "workflows" and len(parts) > 1:
        return f"workflows.{parts[1]}"
    if parts[0] == "channelops":
        return module if module in ("channelops.settings", "channelops.bootstrap") else ENTRY
    return parts[0]


def imports(path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every module named by an import in `path` (ours resolved to the module file), with its line."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from pkg import module` names the module
                submodule = f"{node.module}.{alias.name}"
                yield (submodule if submodule in known else node.module), node.lineno


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target, _ in imports(path, known) if target in known} - {name}
            for name, path in known.items()}


def test_every_import_follows_the_layers() -> None:
    known = modules()
    wrong = [f"{name} (line {line}) imports {target}"
             for name, path in known.items() for target, line in imports(path, known)
             if target in known and layer(target) != layer(name) and layer(target) not in ALLOWED[layer(name)]]
    assert wrong == []


def test_frameworks_stay_at_the_edges() -> None:
    known = modules()
    wrong = [f"{name} (line {line}) imports {target}"
             for name, path in known.items() for target, line in imports(path, known)
             if target.split(".")[0] in FRAMEWORKS and layer(name) not in FRAMEWORKS[target.split(".")[0]]]
    assert wrong == []


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert circles(graph()) == []


def test_the_circle_finder_sees_a_circle_of_three() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(edges) == [["a", "b", "c"]]
