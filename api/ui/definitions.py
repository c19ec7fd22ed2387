"""Definitions as pages need them: parsed, drawn, and form input turned into instance data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from workflows.domain.definition import FieldDef, WorkflowDefinition
from workflows.domain.diagram import mermaid
from workflows.domain.errors import InvalidInput, Problem
from workflows.services import definitions
from workflows.services.context import Services
from workflows.services.views import DefinitionView


def parsed(svc: Services, view: DefinitionView) -> WorkflowDefinition:
    """A published version's definition (it was valid when published)."""
    found = definitions.published_definition(svc, view)
    if found is None:
        raise InvalidInput(f"workflow {view.name!r} version {view.version} cannot be read", [])
    return found


def diagram(definition: WorkflowDefinition, *, locale: str, current: str | None = None) -> str:
    return mermaid(definition, current=current, locale=locale)


def _value(name: str, spec: FieldDef, raw: str) -> Any:
    if spec.type == "string":
        return raw
    if spec.type == "boolean":
        return raw in ("on", "true", "1", "yes")
    try:
        if spec.type == "integer":
            return int(raw)
        if spec.type == "number":
            number = float(raw)
            return int(number) if number.is_integer() else number
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidInput("the data is not valid", [Problem(f"data.{name}", f"must be {spec.type}")]) from exc


def data_from_form(definition: WorkflowDefinition, form: Mapping[str, Any]) -> dict[str, Any]:
    """The declared fields from `data.<name>` form inputs; empty inputs are left out (defaults apply)."""
    data: dict[str, Any] = {}
    for name, spec in definition.fields.items():
        raw = form.get(f"data.{name}")
        if spec.type == "boolean":
            data[name] = isinstance(raw, str) and _value(name, spec, raw)
        elif isinstance(raw, str) and raw.strip():
            data[name] = _value(name, spec, raw.strip())
    return data


def extra_data(raw: str) -> dict[str, Any]:
    """A JSON object typed in a form (the data sent with a trigger)."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise InvalidInput("the data is not valid", [Problem("data", f"not valid JSON: {exc}")]) from exc
    if not isinstance(value, dict):
        raise InvalidInput("the data is not valid", [Problem("data", 'must be a JSON object, e.g. {"owner": "li"}')])
    return value
