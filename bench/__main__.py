"""Run the benchmarks: `python -m bench` runs all, `python -m bench NAME [NAME ...]` some.

`python -m bench --smoke [NAME ...]` runs them at a small size in a few minutes, writes the
results to a temporary folder (never bench/results/) and exits non-zero if a benchmark cannot
finish within SMOKE_LIMIT_S or leaves out one of its REQUIRED metrics: CI runs it, so that a
benchmark cannot break unnoticed. Its figures mean nothing.

To add a series (`series`, `feed`, `sms`...): write `bench/NAME.py` with a `run() -> Result`
function (see bench/common.py for the scratch database, gunicorn and the result file), add
its name to BENCHMARKS and its metrics to REQUIRED. Each benchmark writes
`bench/results/NAME.json` in the format of BENCH.md; one that cannot run writes its notes and
leaves its metrics out.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from bench.common import RESULTS_VARIABLE, SMOKE_VARIABLE, Result, describe_machine

# The registry, in the order `make bench` runs them.
BENCHMARKS: list[str] = ["booking", "availability", "series", "feeds", "console", "sms"]

# The metrics of BENCH.md each benchmark must report; a run without one of them failed.
REQUIRED: dict[str, list[str]] = {
    "booking": [
        "booking_create_rps_1",
        "booking_create_rps_16",
        "booking_create_p95_ms_1",
        "booking_create_p95_ms_16",
        "booking_statements_per_create",
    ],
    "availability": ["availability_p95_ms"],
    "series": ["series_dry_run_ms", "series_commit_ms"],
    "feeds": [
        "feed_cold_ms_10k",
        "feed_304_ms",
        "feed_rebuild_s_10k",
        "radicale_get_ms_10k",
        "feed_vs_radicale_ratio",
    ],
    "console": ["console_week_board_ms"],
    "sms": [
        "sms_per_s_1",
        "sms_per_s_2",
        "sms_per_s_4",
        "sms_duplicates",
        "sms_lost",
        "sms_in_flight_max",
        "sms_review_rate_faults",
    ],
}

SMOKE_LIMIT_S = 240  # the longest one benchmark may take in a smoke run
SMOKE_SETTINGS = {  # sizes of benchmarks that read them from the environment
    SMOKE_VARIABLE: "1",
    "BENCH_REPEATS": "1",
    "BENCH_FEED_REPEATS": "2",
    "BENCH_SMS_QUEUED": "200",
    "BENCH_SMS_DEADLINE_S": "20",
}


class TooSlow(Exception):
    pass


@contextmanager
def time_limit(seconds: int | None) -> Iterator[None]:
    """Raise TooSlow in the main thread after `seconds` (no limit for None)."""
    if seconds is None:
        yield
        return

    def expire(_signal: int, _frame: FrameType | None) -> None:
        raise TooSlow(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_one(name: str, limit: int | None = None) -> bool:
    """Run benchmark `name` and write its result; on failure write why, without figures."""
    began = time.monotonic()
    print(f"bench {name}...", flush=True)
    try:
        with time_limit(limit):
            module = importlib.import_module(f"bench.{name}")
            result: Result = module.run()
        missing = [m for m in REQUIRED.get(name, []) if m not in result.metrics]
        ok = not missing
        if missing:
            print(f"bench {name}: metrics missing: {', '.join(missing)}", flush=True)
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
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (all)")
    parser.add_argument(
        "--smoke", action="store_true", help="small sizes, results in a temporary folder"
    )
    args = parser.parse_args(argv)
    names = args.names or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    limit = None
    if args.smoke:
        os.environ.update(SMOKE_SETTINGS)
        os.environ[RESULTS_VARIABLE] = tempfile.mkdtemp(prefix="zapis-bench-smoke-")
        limit = SMOKE_LIMIT_S
    began = time.monotonic()
    failed = [name for name in names if not run_one(name, limit)]
    print(
        f"bench: {len(names) - len(failed)} of {len(names)} passed in "
        f"{time.monotonic() - began:.0f} s" + (f"; failed: {', '.join(failed)}" if failed else ""),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
