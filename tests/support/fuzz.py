"""Run schemathesis over the app's OpenAPI document with every check it has and collect each failure:
a 5xx, a status or media type the document does not declare, a body that does not match its schema,
invalid data accepted, valid data refused, a 405 whose `Allow` header is wrong, ..."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup

load_all_checks()

# Operations whose schema-valid input may still be invalid once the stored data is read: the trigger
# must belong to the instance's workflow, the decision to the task, a group, region, channel code or
# manager must exist, a period must be a month with data, a YAML text must be a valid definition, a
# meeting's rule must be a valid RRULE. For them a 422 with the problem at its path is the right answer
# to positive data; every other operation must accept what its schema allows.
DATA_DEPENDENT = [
    r"^/api/v1/workflows(/validate)?$",
    r"^/api/v1/instances/[^/]+/events$",
    r"^/api/v1/tasks/[^/]+/complete$",
    r"^/api/v1/users$",
    r"^/api/v1/reports/",
    r"^/api/v1/channels(/[^/]+)?$",
    r"^/api/v1/kpis",
    r"^/api/v1/rules/thresholds$",
    r"^/api/v1/meetings",
    r"^/api/v1/delegations",  # a substitute or user must exist, dates must make a sane absence
    r"^/api/v1/tasks/[^/]+/assign$",  # the assignee must exist and be a member of the task's group
    r"^/api/v1/workflows/[^/]+/migrations$",  # a map naming states the versions lack: 422
    r"^/api/v1/audit$",  # `from` must be before `to`
    r"^/api/v1/tasks/[^/]+/follow-up$",  # the date must lie between today and a year ahead
    r"^/api/v1/users/[^/]+$",  # PATCH: a group must exist, an e-mail address must look like one
    r"^/api/v1/groups",  # a title of blanks only
]
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429"]
CONFIG = SchemathesisConfig.from_dict({"operations": [
    {"include-path-regex": pattern,
     "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE, "422"]}}}
    for pattern in DATA_DEPENDENT]})
# `max_response_time` needs a limit to be configured and measures nothing useful in-process.
ALL_CHECKS = [check for check in CHECKS.get_all() if check.__name__ != "max_response_time"]


def failures(app: Any, *, headers: dict[str, str], examples: int,
             only: Callable[[str], bool] = lambda path: True,
             adjust: Callable[[Any], None] = lambda case: None) -> list[str]:
    """`examples` generated requests per operation whose path passes `only`; `adjust` may point a
    generated case at rows that exist. Returns one line (with a curl command) per failed check."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    found: list[str] = []
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
            try:
                case.validate_response(response, checks=ALL_CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    found.append(f"{case.method} {case.formatted_path} -> {response.status_code} "
                                 f"[{type(failure).__name__}] {failure.title}: {str(failure.message)[:200]} "
                                 f"{case.as_curl_command()}")
            except AssertionError as failure:
                found.append(f"{case.method} {case.formatted_path} -> {response.status_code} "
                             f"[{type(failure).__name__}] {str(failure)[:300]} {case.as_curl_command()}")

        run()
    return found
