"""Schemathesis on the channel pack's endpoints, with a channel and KPI history in place so that
generated requests reach the services (the suite-wide fuzz test mostly meets empty tables)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from channelops.settings import Settings
from tests.support import channel_factories as f
from tests.support.fixtures import bearer
from tests.support.fuzz import failures
from workflows.services.context import Services

PREFIXES = ("/api/v1/channels", "/api/v1/kpis", "/api/v1/rules")


def test_every_request_to_the_channel_endpoints_passes_every_schemathesis_check(
        client: TestClient, svc: Services, settings: Settings) -> None:
    for number in range(1, 4):
        f.channel(svc, code=str(number))
    f.report(svc, "1", {"2026-09": 100, "2026-10": 50})
    headers = bearer(settings, int(f.admin(svc).id or 0))
    found = failures(client.app, headers=headers, examples=40,
                             only=lambda path: path.startswith(PREFIXES))
    assert found == []
