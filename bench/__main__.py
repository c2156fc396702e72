"""Run the benchmarks: `python -m bench` runs all, `python -m bench NAME [NAME ...]` some.

To add a series (`series`, `feed`, `sms`...): write `bench/NAME.py` with a `run() -> Result`
function (see bench/common.py for the scratch database, gunicorn and the result file) and add
its name to BENCHMARKS. Each benchmark writes `bench/results/NAME.json` in the format of
BENCH.md; one that cannot run writes its notes and leaves its metrics out.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

from bench.common import Result, describe_machine

# The registry, in the order `make bench` runs them.
BENCHMARKS: list[str] = ["booking", "availability", "series", "feeds", "console", "sms"]


def run_one(name: str) -> bool:
    """Run benchmark `name` and write its result; on failure write why, without figures."""
    began = time.monotonic()
    print(f"bench {name}...", flush=True)
    try:
        module = importlib.import_module(f"bench.{name}")
        result: Result = module.run()
        ok = True
    except Exception as exc:  # a benchmark that cannot run says so and leaves metrics out
        traceback.print_exc()
        result = Result(name, machine=describe_machine(None))
        result.note(f"Could not run: {type(exc).__name__}: {exc}".strip())
        ok = False
    path = result.write()
    print(f"bench {name}: {path} ({time.monotonic() - began:.0f} s)", flush=True)
    for metric, figure in result.metrics.items():
        print(f"  {metric} = {figure['value']} {figure['unit']} (target {figure['target']})")
    return ok


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    failed = [name for name in names if not run_one(name)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
