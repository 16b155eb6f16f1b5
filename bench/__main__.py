"""`make bench`: shopcore under gunicorn on a private PostgreSQL and Redis, driven by wrk.

Prints, per scenario, req/s, p50/p95/p99, errors, SQL statements and Redis commands per
request, and the gunicorn workers' RSS; writes the figures as JSON under bench/results/.
A benchmark, not a test: nothing here passes or fails on speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import SCENARIOS, render, row_of, soak_summary
from bench.services import Services
from bench.shop import ROOT, Shop, wrk

PAGE_SIZE = 20


def options() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("--products", type=int, default=int(env("BENCH_PRODUCTS", "10000")))
    parser.add_argument("--duration", type=int, default=int(env("BENCH_DURATION", "15")),
                        help="seconds measured per scenario (BENCH_DURATION, 15)")
    parser.add_argument("--warmup", type=int, default=int(env("BENCH_WARMUP", "3")))
    parser.add_argument("--concurrency", type=int, default=int(env("BENCH_CONCURRENCY", "8")))
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "4")))
    parser.add_argument("--scenarios", default=env("BENCH_SCENARIOS", ",".join(SCENARIOS)))
    parser.add_argument("--soak", type=int, default=soak_seconds(env("BENCH_SOAK", "0")),
                        help="seconds of mixed load watching worker RSS "
                             "(BENCH_SOAK=1: 300, BENCH_SOAK=N>1: N)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


def soak_seconds(value: str) -> int:
    seconds = int(value or 0)
    return 300 if seconds == 1 else seconds


def page_ranges(products: int) -> dict[str, str]:
    last = max(1, -(-products // PAGE_SIZE))
    deep = (400, 449) if last >= 449 else (max(1, last - 49), last)
    return {"BENCH_PAGES": f"1:{min(50, last)}", "BENCH_DEEP": f"{deep[0]}:{deep[1]}"}


def measure(shop: Shop, scenario: str, args: argparse.Namespace, data: Path,
            pages: dict[str, str]) -> dict[str, Any]:
    if args.warmup > 0:
        wrk(shop.base, scenario, args.warmup, args.concurrency, data, pages)
    statements, commands = shop.services.statements(), shop.services.redis_commands()
    raw = wrk(shop.base, scenario, args.duration, args.concurrency, data, pages)
    raw["statements"] = shop.services.statements() - statements
    raw["redis_commands"] = shop.services.redis_commands() - commands
    raw["worker_rss_kib"] = shop.worker_rss()
    return row_of(scenario, raw)


def soak(shop: Shop, args: argparse.Namespace, data: Path,
         pages: dict[str, str]) -> dict[str, Any]:
    """Mixed load for args.soak seconds, the workers' RSS sampled every 10 s."""
    env = dict(os.environ, BENCH_SCENARIO="mixed", BENCH_DATA=str(data), **pages)
    argv = ["wrk", "-t", str(args.concurrency), "-c", str(args.concurrency),
            "-d", f"{args.soak}s", "--timeout", "10s", "-s", str(ROOT / "bench" / "scenarios.lua"),
            shop.base + "/"]
    samples = [(0.0, shop.worker_rss())]
    started = time.monotonic()
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          text=True) as load:
        while load.poll() is None and time.monotonic() - started < args.soak + 60:
            time.sleep(10)
            samples.append((round(time.monotonic() - started, 1), shop.worker_rss()))
        if load.poll() is None:
            load.kill()
        out, _ = load.communicate()
    samples.append((round(time.monotonic() - started, 1), shop.worker_rss()))
    return soak_summary(samples, out)


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu": cpu,
            "kernel": platform.release(), "python": platform.python_version(),
            "loadavg_before": os.getloadavg()}


def main() -> int:
    args = options()
    for tool in ("wrk", "redis-server", "redis-cli", "psql"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: run bench/setup.sh (make bench does)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    state = Path(tempfile.mkdtemp(prefix="shopcore-bench-"))
    services = Services(state)
    shop = Shop(services, state, args.workers)
    doc: dict[str, Any] = {"started_utc": stamp, "machine": machine(),
                           "settings": {k: v for k, v in vars(args).items() if k != "out"}}
    try:
        print(f"[bench] PostgreSQL on :{services.pg_port}, Redis on :{services.redis_port}; "
              f"{args.products} products", file=sys.stderr, flush=True)
        services.start()
        doc["versions"] = services.versions()
        doc["populate_seconds"] = round(shop.populate(args.products), 1)
        shop.start()
        data = state / "wrk"
        data.mkdir()
        pages = page_ranges(args.products)
        doc["prepared"] = shop.prepare(data, args.concurrency, stamp[-6:])
        doc["worker_rss_start_kib"] = shop.worker_rss()
        doc["scenarios"] = {}
        for scenario in [s for s in args.scenarios.split(",") if s]:
            print(f"[bench] {scenario}", file=sys.stderr, flush=True)
            doc["scenarios"][scenario] = measure(shop, scenario, args, data, pages)
        if args.soak:
            print(f"[bench] mixed load for {args.soak} s (worker RSS)", file=sys.stderr,
                  flush=True)
            doc["soak"] = soak(shop, args, data, pages)
        doc["worker_rss_end_kib"] = shop.worker_rss()
    except (RuntimeError, subprocess.SubprocessError) as exc:
        log = shop.log.read_text(errors="replace")[-2000:] if shop.log.exists() else ""
        print(f"[bench] failed: {exc}\n{log}", file=sys.stderr)
        return 1
    finally:
        shop.stop()
        services.stop()
        shutil.rmtree(state, ignore_errors=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stamp}-{args.products}.json"
    path.write_text(json.dumps(doc, indent=1))
    print(render(doc))
    print(f"\nresults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
