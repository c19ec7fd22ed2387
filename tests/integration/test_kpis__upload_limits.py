"""A KPI file is checked once, in the service: who may import first, then its size; nothing is stored."""

from __future__ import annotations

import dataclasses

import pytest

from channels import tables as ct
from channels.kpi_import import import_file
from tests.integration.helpers import count
from tests.support import channel_factories as f
from tests.support.fixtures import UserFactory
from workflows.domain.errors import InvalidInput, PermissionDenied
from workflows.services.context import Services


def test_a_file_over_the_upload_limit_is_refused_and_nothing_is_stored(svc: Services) -> None:
    channel = f.channel(svc)
    svc.limits = dataclasses.replace(svc.limits, upload_bytes=2 * 1024 * 1024)
    data = f"channel_code,period,sales_actual\n{channel.code},2026-10,5\n".encode().ljust(2 * 1024 * 1024 + 1, b"\n")
    with pytest.raises(InvalidInput) as refused:
        import_file(svc, actor=f.admin(svc), data=data, filename="k.csv")
    assert [(p.path, p.message) for p in refused.value.problems] == [("file", "at most 2 MB: split it")]
    assert count(svc, ct.kpi_records) == 0


def test_who_may_not_import_is_refused_before_the_file_is_looked_at(svc: Services, make_user: UserFactory) -> None:
    svc.limits = dataclasses.replace(svc.limits, upload_bytes=10)
    with pytest.raises(PermissionDenied):
        import_file(svc, actor=make_user(roles=("viewer",)), data=b"x" * 100, filename="k.csv")
