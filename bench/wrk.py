"""wrk (Debian package `wrk`) driving a list of requests, each sent at most once (closed loop)."""

from __future__ import annotations

import resource
import subprocess
import tempfile
from pathlib import Path

LUA = """
local requests = {%s}
local counter = 0
local threads = %d
function setup(thread)
  thread:set("slot", counter)
  counter = counter + 1
end
function init(args)
  position = slot
end
function request()
  local item = requests[position %% #requests + 1]
  position = position + threads
  return wrk.format("POST", item[1], {["Authorization"] = item[2], ["Content-Type"] = "application/json"},
                    '{"decision": "approve"}')
end
"""


def wrk(url: str, requests: list[tuple[str, str]], clients: int, seconds: int) -> dict[str, float]:
    """Drive `url` with wrk (2 threads, `clients` connections); every request is sent at most once
    while the list lasts. Returns requests/s, p50/p99 in ms, the count of non-2xx answers and wrk's
    own CPU use (% of one core)."""
    items = ",".join(f'{{"{path}","{auth}"}}' for path, auth in requests) or '{"/bare",""}'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (items, 2))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script.name, url],
                            capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(script.name).unlink()
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    result = {"non2xx": 0.0, "wrk_cpu": 100 * used / seconds}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            result["rate"] = float(words[1])
        elif words[:1] in (["50%"], ["99%"]):
            result[words[0]] = _ms(words[1])
        elif line.strip().startswith("Non-2xx"):
            result["non2xx"] = float(words[-1])
        elif "requests in" in line:
            result["count"] = float(words[0])
    return result


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)
