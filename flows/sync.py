"""Prefect's dual sync/async functions, called from synchronous code (shared by the deployments)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def synchronous(value: T | Coroutine[Any, Any, T]) -> T:
    """The value a dual function hands back outside an event loop; a coroutine means we are inside one."""
    if isinstance(value, Coroutine):
        value.close()
        raise RuntimeError("serve the flows from synchronous code, outside an event loop")
    return value
