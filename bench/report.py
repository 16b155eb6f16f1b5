"""The benchmark's figures: one row per scenario, the worker RSS, the printed table."""

from __future__ import annotations

import json
import re
from typing import Any

SCENARIOS = ["products_list", "products_deep", "product_detail", "products_by_category",
             "products_search", "cart_get", "cart_add", "purchase_flow"]
FLAT = 0.10  # issue 12: worker RSS flat within 10 % over the mixed run


def row_of(scenario: str, raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6 or 1.0
    requests = raw["requests"] or 1
    latency = raw["latency_us"]
    row = {
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": latency["p50"] / 1000, "p95_ms": latency["p95"] / 1000,
        "p99_ms": latency["p99"] / 1000, "requests": raw["requests"],
        "errors": raw["non2xx"] + raw["socket_errors"], "non2xx": raw["non2xx"],
        "socket_errors": raw["socket_errors"], "statuses": raw["statuses"],
        "sql_per_request": round(raw["statements"] / requests, 2),
        "redis_per_request": round(raw["redis_commands"] / requests, 2),
        "bytes_per_response": round(raw["bytes"] / requests),
        "worker_rss_kib": raw["worker_rss_kib"],
    }
    if scenario == "purchase_flow":
        row["purchases_per_s"] = round(raw["flows_ok"] / seconds, 1)
        row["purchases_failed"] = raw["flows_failed"]
        row["sql_per_purchase"] = round(raw["statements"] / (raw["flows_ok"] or 1), 1)
    return row


def _total_mib(rss: dict[Any, int]) -> float:
    return sum(rss.values()) / 1024


def soak_summary(samples: list[tuple[float, dict[int, int]]], wrk_out: str) -> dict[str, Any]:
    """Worker RSS over the mixed run: first and last sample, peak, growth, flat or not."""
    totals = [(at, _total_mib(rss)) for at, rss in samples if rss]
    first, last = totals[0][1], totals[-1][1]
    peak = max(total for _, total in totals)
    growth = (last - first) / first if first else 0.0
    found = re.search(r"^BENCH_RESULT (.*)$", wrk_out, re.M)
    load = json.loads(found.group(1)) if found else {}
    seconds = load.get("duration_us", 0) / 1e6 or 1.0
    return {"samples": [{"at_s": at, "worker_rss_kib": rss} for at, rss in samples],
            "first_mib": round(first, 1), "last_mib": round(last, 1), "peak_mib": round(peak, 1),
            "growth": round(growth, 3), "flat": abs(growth) <= FLAT and peak <= first * (1 + FLAT),
            "requests": load.get("requests"), "rps": round(load.get("requests", 0) / seconds, 1),
            "errors": load.get("non2xx", 0) + load.get("socket_errors", 0)}


def render(doc: dict[str, Any]) -> str:
    settings = doc["settings"]
    lines = [
        f"shopcore benchmark {doc['started_utc']} UTC on {doc['machine']['host']} "
        f"({doc['machine']['cpus']} CPUs, load {doc['machine']['loadavg_before'][0]:.1f} "
        f"before); PostgreSQL {doc['versions']['postgresql']}, Redis {doc['versions']['redis']}",
        f"{settings['products']} products (populate-data {doc['populate_seconds']} s); gunicorn "
        f"{settings['workers']} sync workers; wrk {settings['concurrency']} connections, "
        f"{settings['duration']} s per scenario after {settings['warmup']} s warm-up",
        "",
        f"{'scenario':22s} {'req/s':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} "
        f"{'errors':>7s} {'SQL/req':>8s} {'Redis/req':>9s}",
    ]
    lines.append("-" * len(lines[-1]))
    for name, row in doc.get("scenarios", {}).items():
        extra = (f"  {row['purchases_per_s']} purchases/s, "
                 f"{row.get('sql_per_purchase', '?')} SQL each" if "purchases_per_s" in row else "")
        lines.append(
            f"{name:22s} {row['rps']:8.1f} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f} "
            f"{row['p99_ms']:8.2f} {row['errors']:7d} {row['sql_per_request']:8.2f} "
            f"{row['redis_per_request']:9.2f}{extra}")
    start, end = doc.get("worker_rss_start_kib", {}), doc.get("worker_rss_end_kib", {})
    lines.append("")
    lines.append(f"worker RSS: {len(start)} workers, {_total_mib(start):.1f} MiB at start, "
                 f"{_total_mib(end):.1f} MiB at the end "
                 f"(per worker {_per_worker(start)} -> {_per_worker(end)} MiB)")
    if "soak" in doc:
        soak = doc["soak"]
        lines.append(
            f"mixed run {doc['settings']['soak']} s: {soak['rps']} req/s, {soak['errors']} errors;"
            f" worker RSS {soak['first_mib']} -> {soak['last_mib']} MiB (peak {soak['peak_mib']},"
            f" {soak['growth']:+.1%}): {'flat' if soak['flat'] else 'NOT flat'} within 10%")
    return "\n".join(lines)


def _per_worker(rss: dict[Any, int]) -> str:
    return "/".join(f"{kib / 1024:.0f}" for kib in rss.values()) or "-"
