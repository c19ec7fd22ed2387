"""Hostile input over HTTP is refused with a 4xx at its place, before it costs memory, and writes nothing:
alias bombs, huge and deeply nested YAML, deeply nested and huge instance data (issue 13, breaks 1-4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory

YAML = {"Content-Type": "application/yaml"}
ALIAS_BOMB = """\
name: bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
DEEPER_BOMB = ALIAS_BOMB + "j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n"


def published_names(client: TestClient, headers: dict[str, str]) -> list[str]:
    return sorted(d["name"] for d in client.get("/api/v1/workflows", headers=headers).json())


def complaints(client: TestClient, headers: dict[str, str]) -> int:
    listed = client.get("/api/v1/instances", headers=headers, params={"workflow": "complaint"}).json()
    return int(listed["total"])


def test_an_alias_bomb_is_refused_at_its_first_anchor_by_validate(client: TestClient, login_as: LoginFactory) -> None:
    admin = {**login_as(admin=True), **YAML}
    answer = client.post("/api/v1/workflows/validate", content=ALIAS_BOMB, headers=admin)
    assert (answer.status_code, answer.headers["content-type"]) == (422, "application/problem+json")
    assert answer.json()["errors"] == [
        {"path": "(document)", "message": "not accepted: anchors (&a) are not allowed", "line": 2}]


def test_a_deeper_alias_bomb_is_refused_by_publish_and_nothing_is_published(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}
    before = published_names(client, admin)
    answer = client.post("/api/v1/workflows", content=DEEPER_BOMB, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"] == "not accepted: anchors (&a) are not allowed"
    assert published_names(client, admin) == before


def test_an_alias_without_an_anchor_is_refused_at_its_line(client: TestClient, login_as: LoginFactory) -> None:
    admin = {**login_as(admin=True), **YAML}
    answer = client.post("/api/v1/workflows/validate", content="name: x\nstates:\n  - *somewhere\n", headers=admin)
    assert answer.status_code == 422
    assert answer.json()["errors"][0] == {"path": "(document)", "line": 3,
                                          "message": "not accepted: aliases (*somewhere) are not allowed"}


def test_a_20_mb_structured_yaml_is_refused_by_its_size_and_nothing_is_published(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}
    huge = "name: huge\nfields:\n" + "".join(f"  a_field_number_{i:09}: {{type: string}}\n" for i in range(480_000))
    assert len(huge) > 20_000_000
    answer = client.post("/api/v1/workflows", content=huge, headers=admin)
    assert (answer.status_code, answer.headers["content-type"]) == (413, "application/problem+json")
    assert answer.json()["detail"] == "the request body is larger than 262144 bytes, the most this address takes"
    assert "huge" not in published_names(client, admin)


def test_a_chunked_body_without_a_length_is_refused_once_it_passes_the_limit(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}

    def chunks() -> Iterator[bytes]:
        yield b"name: chunked\nfields:\n"
        for i in range(30_000):
            yield f"  f{i}: {{type: string}}\n".encode()

    answer = client.post("/api/v1/workflows", content=chunks(), headers=admin)
    assert answer.status_code == 413
    assert "chunked" not in published_names(client, admin)


def test_yaml_nested_300_deep_is_refused_at_the_line_where_it_goes_too_deep(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}
    deep = "name: deep\n" + "".join("  " * i + f"k{i}:\n" for i in range(300))
    answer = client.post("/api/v1/workflows/validate", content=deep, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"path": "(document)", "message": "not accepted: nested deeper than 64 levels", "line": 66}]


def test_yaml_nested_in_brackets_600_deep_is_refused_too(client: TestClient, login_as: LoginFactory) -> None:
    admin = {**login_as(admin=True), **YAML}
    answer = client.post("/api/v1/workflows", content="name: deep\nstates: " + "[" * 600 + "]" * 600 + "\n",
                         headers=admin)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["line"] == 2


def start(client: TestClient, headers: dict[str, str], data: dict[str, Any]) -> Any:
    return client.post("/api/v1/instances", headers={**headers, "Idempotency-Key": "hostile-1"},
                       json={"workflow": "complaint", "data": {"severity": "low", **data}})


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_instance_data_nested_300_deep_is_refused_at_its_path_and_nothing_is_stored(
    client: TestClient, login_as: LoginFactory
) -> None:
    reviewer = login_as(roles=("channel_manager",))
    answer = start(client, reviewer, {"x": nested(300)})
    assert (answer.status_code, answer.json()["detail"]) == (422, "the instance data exceeds its limits")
    assert answer.json()["errors"] == [{"path": "data.x" + ".a" * 15, "message": "nested deeper than 16 levels"}]
    assert complaints(client, reviewer) == 0


def test_instance_data_nested_deeper_than_the_json_parser_goes_is_a_400_not_a_500(
    client: TestClient, login_as: LoginFactory
) -> None:
    reviewer = login_as(roles=("channel_manager",))
    text = '{"workflow": "complaint", "data": {"severity": "low", "x": ' + '{"a": ' * 999 + "1" + "}" * 999 + "}}"
    answer = client.post("/api/v1/instances", content=text, headers={**reviewer, "Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["title"]) == (400, "Bad request")
    assert client.get("/health").status_code == 200
    assert complaints(client, reviewer) == 0


def test_60_mb_of_instance_data_is_refused_before_it_is_read(client: TestClient, login_as: LoginFactory) -> None:
    reviewer = login_as(roles=("channel_manager",))
    answer = start(client, reviewer, {"summary": "x" * 60_000_000})
    assert (answer.status_code, answer.json()["title"]) == (413, "Content too large")
    assert complaints(client, reviewer) == 0


def test_instance_data_under_the_body_limit_but_over_the_data_limit_is_refused(
    client: TestClient, login_as: LoginFactory
) -> None:
    reviewer = login_as(roles=("channel_manager",))
    answer = start(client, reviewer, {f"note{i}": "x" * 9_000 for i in range(10)})
    assert answer.status_code == 422
    [problem] = answer.json()["errors"]
    assert problem["path"] == "data" and problem["message"].endswith("bytes: at most 65536 are allowed")
    assert complaints(client, reviewer) == 0


def test_a_text_longer_than_the_limit_is_refused_at_its_path(client: TestClient, login_as: LoginFactory) -> None:
    reviewer = login_as(roles=("channel_manager",))
    answer = start(client, reviewer, {"summary": "漏" * 10_001, "notes": ["short", "x" * 10_001]})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"path": "data.notes[1]", "message": "longer than 10000 characters"},
                                       {"path": "data.summary", "message": "longer than 10000 characters"}]


def test_data_added_by_an_event_is_bounded_too(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    started = start(client, manager, {})
    assert started.status_code == 201
    answer = client.post(f"/api/v1/instances/{started.json()['id']}/events", headers=manager,
                         json={"trigger": "acknowledge", "data": {"x": nested(40)}})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "data.x" + ".a" * 15
    shown = client.get(f"/api/v1/instances/{started.json()['id']}", headers=manager).json()["instance"]
    assert (shown["state"], shown["revision"]) == (started.json()["state"], started.json()["revision"])


def test_a_kpi_file_over_the_upload_limit_is_refused_before_it_is_read(
    client: TestClient, login_as: LoginFactory
) -> None:
    answer = client.post("/api/v1/kpis/import", headers=login_as(admin=True),
                         files={"file": ("kpi.csv", b"x" * (21 * 1024 * 1024))})
    assert (answer.status_code, answer.json()["title"]) == (413, "Content too large")
    assert answer.json()["detail"] == "the request body is larger than 20987904 bytes, the most this address takes"
