"""Variants over HTTP: the instance carries the variant it runs under, and a definition's bad variant
is refused with the problem at its line."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.fixtures import LoginFactory
from workflows.services.definitions import shipped_source

YAML = {"Content-Type": "application/yaml"}


def test_starting_an_ecommerce_onboarding_answers_with_its_variant(client: TestClient, login_as: LoginFactory) -> None:
    manager = login_as(roles=("channel_manager",))
    started = client.post("/api/v1/instances", headers=manager, json={
        "workflow": "channel_onboarding", "data": {"channel_name": "京东店", "channel_type": "ecommerce",
                                                   "region": "east"}})
    store = client.post("/api/v1/instances", headers=manager, json={
        "workflow": "channel_onboarding", "data": {"channel_name": "门店", "channel_type": "direct_store",
                                                   "region": "east"}})

    assert started.status_code == 201, started.text
    assert (started.json()["variant"], store.json()["variant"]) == ("online", None)
    shown = client.get(f"/api/v1/instances/{started.json()['id']}", headers=manager).json()
    assert shown["instance"]["variant"] == "online"


def test_a_variant_on_an_unknown_channel_type_is_refused_at_its_line(
    client: TestClient, login_as: LoginFactory
) -> None:
    admin = {**login_as(admin=True), **YAML}
    source = shipped_source("channel_onboarding")
    broken = source.replace("when: {channel_type: [ecommerce, social]}", "when: {channel_type: [ecommerce, wechat]}")
    line = source.splitlines().index("    when: {channel_type: [ecommerce, social]}") + 1

    refused = client.post("/api/v1/workflows", content=broken, headers=admin)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [{"path": "variants[0].when.channel_type[1]", "line": line,
                                         "message": "unknown channel_type 'wechat' (known: direct_store, agent, "
                                                    "ecommerce, social)"}]
