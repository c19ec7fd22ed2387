"""The Prefect flow is a thin shell over `prepare_due_agendas` (its body runs without a server)."""

from __future__ import annotations

import pytest

import flows.meetings
from tests.support.meetings import seed
from workflows.services.context import Services


def test_the_flow_prepares_the_due_agenda_once(svc: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(svc)
    monkeypatch.setattr(flows.meetings, "build_services", lambda: svc)

    first = flows.meetings.prepare_agendas.fn()
    second = flows.meetings.prepare_agendas.fn()

    assert (first["prepared"], first["failed"], second["prepared"]) == (1, 0, 0)


def test_the_agenda_deployment_is_served_hourly_with_one_run_at_a_time() -> None:
    from flows.serve import AGENDA_PERIOD, scheduled

    (deployment,) = scheduled()
    assert deployment.name == "agendas" and deployment.flow_name == "prepare-agendas"
    assert deployment.schedules[0].schedule.interval == AGENDA_PERIOD
