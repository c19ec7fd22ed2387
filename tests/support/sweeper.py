"""A sweeping process for tests: fires due timers as of a moment until none are left, then
prints how many it fired. Run as `python -m tests.support.sweeper URL ISO_MOMENT`."""

from __future__ import annotations

import sys
from datetime import datetime

from channelops.bootstrap import build_services
from channelops.settings import Settings
from workflows.adapters.clock import FixedClock
from workflows.services.timers import fire_due_timers


def main() -> None:
    url, moment = sys.argv[1], datetime.fromisoformat(sys.argv[2])
    svc = build_services(Settings(database_url=url), clock=FixedClock(moment))
    fired = 0
    while True:
        result = fire_due_timers(svc, now=moment, limit=20)
        fired += result.fired
        print(f"progress {fired}", flush=True)
        if result.fired + result.cancelled + result.failed == 0:
            break
    print(f"fired {fired}", flush=True)
    svc.engine.dispose()


if __name__ == "__main__":
    main()
