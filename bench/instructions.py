"""Engine cost in CPU instructions per complaint instance, counted by valgrind: load-independent.

On a shared 2-core machine, timings of two versions drift by more than the 5% a change may cost.
An instruction count does not: valgrind (cachegrind, no cache simulation) counts the instructions
the Python process executes, whatever else runs. Each tree runs `bench/engine.py`'s own workload
(SQLite NORMAL, one process: start a complaint, acknowledge, resolve, close) twice, with `--warm`
instances and with `--warm + --instances`; the difference divided by `--instances` is the cost of
one instance, start-up and migrations excluded. Waiting for the disk is not counted (SQLite NORMAL
does not sync each commit).

    .venv/bin/python bench/instructions.py                       # this checkout
    .venv/bin/python bench/instructions.py --base ../other-tree  # and another checkout, side by side

Needs `valgrind` (Debian package). A run takes minutes: Python under valgrind is ~50x slower.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in the tree being measured, with its own bench/engine.py (older trees have the same helpers).
CHILD = """
import random, sys, tempfile
from pathlib import Path
sys.path.insert(0, ".")
from bench import engine as E
warm, count = int(sys.argv[1]), int(sys.argv[2])
target = E.TARGETS[0]
with tempfile.TemporaryDirectory() as folder, E.database(target, Path(folder)) as url:
    svc = E.build_services(url, target.synchronous)
    E.prepare(svc)
    actor = E.actor_for(svc, login=E.ACTOR_LOGIN)
    rng = random.Random(0)
    for _ in range(warm + count):
        E.one_instance(svc, actor, rng.choice(E.SEVERITIES), None)
    svc.engine.dispose()
"""


def instructions(tree: Path, warm: int, count: int) -> int:
    """Instructions executed by one child run in `tree` (valgrind's "I refs")."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "child.py"
        script.write_text(CHILD)
        python = tree / ".venv" / "bin" / "python"
        done = subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={os.devnull}",
             str(python if python.exists() else sys.executable), str(script), str(warm), str(count)],
            cwd=tree, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind run in {tree} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def per_instance(tree: Path, warm: int, count: int) -> float:
    return (instructions(tree, warm, count) - instructions(tree, warm, 0)) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--warm", type=int, default=20, help="instances run before the counted ones")
    parser.add_argument("--instances", type=int, default=100, help="instances counted")
    args = parser.parse_args()
    trees = [("head", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    costs = {}
    for name, tree in trees:
        costs[name] = per_instance(tree, args.warm, args.instances)
        print(f"{name}: {costs[name] / 1e6:.2f} M instructions per instance (4 transactions)", flush=True)
    if "base" in costs:
        print(f"head / base: {costs['head'] / costs['base']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
