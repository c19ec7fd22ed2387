"""The agenda sweep: lay out upcoming occurrences and prepare every agenda that has fallen due.

Scheduled hourly by `flows.serve`; `prepare_due_agendas` claims each occurrence in its own
transaction, so overlapping runs on several workers prepare each agenda once.
"""

from __future__ import annotations

from prefect import flow

from channelops.bootstrap import build_services
from channels.meetings.agendas import prepare_due_agendas


@flow(name="prepare-agendas", log_prints=False)
def prepare_agendas() -> dict[str, int]:
    """Prepare (generate, store and send) the agendas due now; returns how many, and failures."""
    svc = build_services()
    try:
        result = prepare_due_agendas(svc)
    finally:
        svc.engine.dispose()
    return {"laid_out": result.laid_out, "prepared": result.prepared, "failed": result.failed}
