"""Run schemathesis over the app's OpenAPI document and collect every request answered with a 5xx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings


def server_errors(app: Any, *, headers: dict[str, str], examples: int,
                  only: Callable[[str], bool] = lambda path: True,
                  adjust: Callable[[Any], None] = lambda case: None) -> list[str]:
    """`examples` generated requests per operation whose path passes `only`; `adjust` may point a
    generated case at rows that exist. Returns one line (with a curl command) per 5xx answer."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not only(operation.path):
            continue

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            adjust(case)
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                f"{response.text[:300]} {case.as_curl_command()}")

        run()
    return failures
