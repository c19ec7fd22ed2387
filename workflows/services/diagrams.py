"""Draw a published definition, optionally marking where one instance stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workflows.adapters.graphviz import render_svg
from workflows.domain.diagram import graphviz_dot, mermaid
from workflows.domain.errors import NotFound
from workflows.domain.principals import Actor
from workflows.services import definitions, queries
from workflows.services.context import Services

DiagramFormat = Literal["mermaid", "svg"]
MEDIA_TYPES: dict[str, str] = {"mermaid": "text/plain; charset=utf-8", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class Diagram:
    text: str
    media_type: str


def draw(svc: Services, *, actor: Actor, name: str, fmt: DiagramFormat = "mermaid", instance_id: int | None = None,
         version: int | None = None, locale: str = "en") -> Diagram:
    """The latest version (or `version`) of `name`; with `instance_id`, that instance's version with its
    state marked. SVG needs Graphviz (`Unavailable` otherwise)."""
    current = None
    if instance_id is not None:
        detail = queries.get_instance(svc, actor=actor, instance_id=instance_id)
        if detail.instance.workflow != name:
            raise NotFound(f"instance {instance_id} is not a {name!r} instance")
        version, current = detail.instance.definition_version, detail.instance.state
    view = definitions.get_definition(svc, name=name, version=version)
    parsed = definitions.published_definition(svc, view)
    if parsed is None:  # published sources were valid when published; a registry change can break them
        raise NotFound(f"{name!r} version {view.version} no longer validates; republish it")
    if fmt == "svg":
        return Diagram(render_svg(graphviz_dot(parsed, current=current, locale=locale)), MEDIA_TYPES["svg"])
    return Diagram(mermaid(parsed, current=current, locale=locale), MEDIA_TYPES["mermaid"])
