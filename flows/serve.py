"""The one serve entry point: the scheduled flows as deployments, served by this process.

`channelops worker` (and the embedded scheduler's child, ``python -m flows.serve``) runs
`serve_flows`. Each loop deployment starts a run every `PERIOD`, on a grid fixed by `ANCHOR` so
every worker and every restart agrees on it; a run lasts `PERIOD + OVERLAP`, so the next run is up
before the last one stops and no timer waits for a gap. At most `LOOPS` runs of a deployment run
at once across all workers (`CANCEL_NEW`: a run that finds both slots taken is cancelled, so
missed runs never pile up after an outage). A worker that starts also starts one run of each loop
at once, lasting until the next tick, so nothing waits up to a period after a (re)start.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from prefect import get_client, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments import run_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Interval
from prefect.settings import get_current_settings
from prefect.types.entrypoint import EntrypointType

from flows.kpi import kpi_deployments
from flows.meetings import prepare_agendas
from flows.outbox import dispatch_outbox
from flows.sync import synchronous
from flows.timers import run_timer_loop

log = logging.getLogger(__name__)
PERIOD = timedelta(minutes=5)
OVERLAP = timedelta(seconds=30)
ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
LOOPS = 2
AGENDA_PERIOD = timedelta(hours=1)  # agendas fall due at the start of a working day; an hour late is fine
NO_API_URL = (
    "PREFECT_API_URL is not set. A worker needs a Prefect server that runs schedules: start one with "
    "`prefect server start` (or `channelops serve`, which starts its own) and set PREFECT_API_URL to its "
    "API, e.g. http://127.0.0.1:4200/api. Without it Prefect would use a temporary server, which never "
    "runs schedules: nothing would ever fire."
)


class PrefectUnavailable(RuntimeError):
    """No Prefect API is configured, or the configured one does not answer."""


def api_url() -> str | None:
    """The Prefect API this process talks to (environment, `.env` or profile), or None."""
    return get_current_settings().api.url or None


def wait_for_api(*, timeout: float = 120.0) -> None:
    """Wait until the Prefect API answers: a worker may start before its server (compose, restarts)."""
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while (error := client.api_healthcheck()) is not None:
            if time.monotonic() > deadline:
                raise PrefectUnavailable(f"the Prefect API at {api_url()} did not answer in {timeout:.0f} s: {error}")
            log.info("waiting for the Prefect API at %s: %s", api_url(), error)
            time.sleep(2)


def deployments() -> list[RunnerDeployment]:
    """The timer loop and the outbox loop, each restarted every `PERIOD`."""
    limit = ConcurrencyLimitConfig(limit=LOOPS, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    every = [Interval(PERIOD, anchor_date=ANCHOR)]
    parameters = {"max_seconds": (PERIOD + OVERLAP).total_seconds()}
    return [
        synchronous(loop.to_deployment(name, schedules=every, concurrency_limit=limit, parameters=parameters,
                                       tags=["channelops"], entrypoint_type=EntrypointType.MODULE_PATH,
                                       description=text))
        for loop, name, text in (
            (run_timer_loop, "timers", "Fires due timers (reminders, due dates, SLA warnings and breaches)."),
            (dispatch_outbox, "outbox", "Delivers the notifications in the outbox."),
        )
    ]


def scheduled() -> list[RunnerDeployment]:
    """Short flows on a schedule: the agenda sweep, hourly (one run at a time across all workers)."""
    limit = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    # _sync=True: Prefect would hand back a coroutine when it believes an event loop is running here
    return [synchronous(prepare_agendas.to_deployment(
        "agendas", schedules=[Interval(AGENDA_PERIOD, anchor_date=ANCHOR)], concurrency_limit=limit,
        tags=["channelops"], entrypoint_type=EntrypointType.MODULE_PATH, _sync=True,  # type: ignore[call-arg]
        description="Lays out meeting occurrences and prepares the agendas that have fallen due."))]


def served(loops: list[RunnerDeployment]) -> list[RunnerDeployment]:
    """Every deployment a worker serves: the two loops, the agenda sweep and the two KPI reviews."""
    return [*loops, *scheduled(), *kpi_deployments()]


def seconds_to_next_run(now: datetime) -> float:
    """Seconds from `now` to the next scheduled start on the `ANCHOR` + k * `PERIOD` grid."""
    period = PERIOD.total_seconds()
    return period - (now - ANCHOR).total_seconds() % period


def start_loops_now(loops: list[RunnerDeployment], *, now: datetime) -> None:
    """Register `loops` and start one run of each now, lasting until just after the next scheduled one."""
    max_seconds = seconds_to_next_run(now) + OVERLAP.total_seconds()
    for loop in loops:
        deployment_id = synchronous(loop.apply())
        run = synchronous(run_deployment(deployment_id, parameters={"max_seconds": max_seconds}, timeout=0,
                                   as_subflow=False))
        log.info("started %s/%s for %.0f s (flow run %s)", loop.flow_name, loop.name, max_seconds, run.id)


def serve_flows() -> None:
    """Serve the scheduled flows until interrupted; needs PREFECT_API_URL (see `NO_API_URL`)."""
    if api_url() is None:
        raise PrefectUnavailable(NO_API_URL)
    wait_for_api()
    loops = deployments()
    start_loops_now(loops, now=datetime.now(UTC))
    # pause_on_shutdown=False: the deployments are shared by every worker; one stopping must not
    # pause the schedules of the others (or leave them paused after a restart, Prefect issue #16363).
    serve(*served(loops), pause_on_shutdown=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve_flows()
