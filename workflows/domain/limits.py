"""Bounds on what a caller may hand in: a definition's text and an instance's data.

The HTTP layer refuses oversized bodies before reading them (413); these bounds are the
services' own, so the CLI, the UI and the API refuse the same things with a 422 at the path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflows.domain.errors import Problem


@dataclass(frozen=True)
class InputLimits:
    """Defaults of the `CHANNELOPS_MAX_*` settings (docs/deploy.md)."""

    yaml_bytes: int = 256 * 1024
    upload_bytes: int = 20 * 1024 * 1024
    data_bytes: int = 64 * 1024
    data_depth: int = 16
    data_string: int = 10_000


def _child(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def data_problems(data: Mapping[str, Any], limits: InputLimits, *, root: str = "data") -> list[Problem]:
    """What makes `data` too deep, too long or too large, at its path (`data.a.b[3]`).

    Walks without recursion, so no nesting can exhaust the stack; stops at the first value too deep.
    """
    problems: list[Problem] = []
    pending: list[tuple[str, Any, int]] = [(root, data, 0)]
    while pending:
        path, value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= limits.data_depth:
                return [Problem(path, f"nested deeper than {limits.data_depth} levels")]
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and len(key) > limits.data_string:
                    problems.append(Problem(path, f"a name is longer than {limits.data_string} characters"))
                pending.append((_child(path, key), item, depth + 1))
        elif isinstance(value, str) and len(value) > limits.data_string:
            problems.append(Problem(path, f"longer than {limits.data_string} characters"))
        if len(problems) >= 20:
            break
    if problems:
        return sorted(problems, key=lambda p: p.path)
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode())
    if size > limits.data_bytes:
        return [Problem(root, f"{size} bytes: at most {limits.data_bytes} are allowed")]
    return []


def yaml_problems(text: str, limits: InputLimits) -> list[Problem]:
    """A definition's text larger than the limit (checked before it is parsed)."""
    size = len(text.encode())
    if size > limits.yaml_bytes:
        return [Problem("(document)", f"{size} bytes: at most {limits.yaml_bytes} are allowed", 1)]
    return []
