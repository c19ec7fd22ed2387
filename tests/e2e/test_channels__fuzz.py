"""Schemathesis on the channel pack's endpoints, with a channel and KPI history in place so that
generated requests reach the services (the suite-wide fuzz test mostly meets empty tables)."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from channelops.settings import Settings
from tests.support import channel_factories as f
from tests.support.fixtures import bearer
from workflows.services.context import Services

PREFIXES = ("/api/v1/channels", "/api/v1/kpis", "/api/v1/rules")


def test_no_request_to_the_channel_endpoints_fails_with_a_server_error(
        client: TestClient, svc: Services, settings: Settings) -> None:
    for number in range(1, 4):
        f.channel(svc, code=str(number))
    f.report(svc, "1", {"2026-09": 100, "2026-10": 50})
    headers = bearer(settings, int(f.admin(svc).id or 0))
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(PREFIXES):
            continue

        @hypothesis_settings(max_examples=40, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                f"{response.text[:300]} {case.as_curl_command()}")

        run()
    assert failures == []
