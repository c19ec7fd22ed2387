"""The API documentation shows an example for every JSON request body, and the examples are
requests the API accepts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator


def _json_bodies(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield f"{method.upper()} {path}", content["application/json"]["schema"]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` names; for an optional body (`anyOf` with null), the body's schema."""
    for variant in schema.get("anyOf", []):
        if variant.get("type") != "null":
            return _resolve(spec, variant)
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _shows_example(spec: dict[str, Any], schema: dict[str, Any], depth: int = 3) -> bool:
    """An example on the body, on one of its fields, or on the items of a list field."""
    schema = _resolve(spec, schema)
    if "examples" in schema or "example" in schema:
        return True
    if depth == 0:
        return False
    children = [*schema.get("properties", {}).values(), *([schema["items"]] if "items" in schema else [])]
    return any(_shows_example(spec, child, depth - 1) for child in children)


def test_every_json_request_body_shows_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    bodies = dict(_json_bodies(spec))
    assert len(bodies) >= 15
    assert [name for name, schema in bodies.items() if not _shows_example(spec, schema)] == []


def test_every_whole_body_example_is_valid_for_its_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    checked = 0
    for name, schema in _json_bodies(spec):
        validator = Draft202012Validator({**schema, "components": spec["components"]})
        for example in _resolve(spec, schema).get("examples", []):
            problems = [error.message for error in validator.iter_errors(example)]
            assert problems == [], name
            checked += 1
    assert checked >= 5


def test_the_documentation_lists_its_sections_from_logging_in_on_and_names_every_section_a_route_uses(
        client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    listed = [tag["name"] for tag in spec["tags"]]
    assert listed[:4] == ["auth", "workflows", "instances", "tasks"]
    used = {tag for operations in spec["paths"].values() for operation in operations.values()
            for tag in operation.get("tags", [])}
    assert sorted(used - set(listed)) == []  # a route with a section the document does not list
    assert sorted(set(listed) - used) == []  # a section no route is in
