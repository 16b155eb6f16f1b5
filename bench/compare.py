"""`make bench-compare`, a development command: ../shared/bench/loadbench runs shopcore, the
Django reference (drf_seed) and the bare-WSGI ceiling (limit) in one run; this prints the
ratios issue 12 sets goals for. Only ratios from one run mean anything on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# (scenario, goal for shopcore / reference req/s); p99 goal: at most a third of the reference's.
GOALS = [("products_list", 3.0), ("product_detail", 3.0), ("products_by_category", 3.0),
         ("products_search", 3.0), ("cart_get", 3.0), ("cart_add", 3.0), ("purchase_flow", 3.0)]
CEILING_SCENARIOS = ("product_detail", "cart_get")  # goal: at least 40 % of the ceiling
CEILING_GOAL = 0.40
P99_GOAL = 1 / 3


def options() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="make bench-compare", description=__doc__)
    parser.add_argument("--loadbench", required=True, help="path of loadbench.py")
    parser.add_argument("--repeats", type=int, default=int(env("COMPARE_REPEATS", "3")))
    parser.add_argument("--duration", type=int, default=int(env("COMPARE_DURATION", "15")))
    parser.add_argument("--products", type=int, default=int(env("BENCH_PRODUCTS", "10000")))
    parser.add_argument("--scenarios", default=env("COMPARE_SCENARIOS"))
    return parser.parse_args()


def medians(doc: dict[str, Any], profile: str) -> dict[str, Any]:
    found: dict[str, Any] = doc["profiles"].get(profile, {}).get("median", {})
    return found


def ratios(doc: dict[str, Any]) -> list[str]:
    shop, ref = medians(doc, "shopcore"), medians(doc, "drf_seed")
    ceiling = medians(doc, "limit").get("ceiling", {}).get("rps")
    lines = [f"{'scenario':22s} {'ref req/s':>10s} {'shopcore':>10s} {'ratio':>7s} {'goal':>6s} "
             f"{'ref p99':>8s} {'p99':>8s} {'p99 ratio':>9s} {'errors':>7s} {'% ceiling':>9s}"]
    lines.append("-" * len(lines[0]))
    for scenario, goal in GOALS:
        mine, theirs = shop.get(scenario), ref.get(scenario)
        if not mine or not theirs:
            continue
        key = "flows_per_s" if scenario == "purchase_flow" else "rps"
        ratio = mine[key] / theirs[key] if theirs.get(key) else float("nan")
        p99 = mine["p99_ms"] / theirs["p99_ms"] if theirs["p99_ms"] else float("nan")
        errors = mine["non2xx_total"] + mine["socket_errors_total"]
        share = (f"{mine['rps'] / ceiling:8.0%}" if ceiling and scenario in CEILING_SCENARIOS
                 else "")
        mark = "" if ratio >= goal and p99 <= P99_GOAL and not errors else "  below goal"
        lines.append(f"{scenario:22s} {theirs[key]:10.1f} {mine[key]:10.1f} {ratio:6.2f}x "
                     f"{goal:5.1f}x {theirs['p99_ms']:8.1f} {mine['p99_ms']:8.1f} {p99:9.2f} "
                     f"{errors:7d} {share:>9s}{mark}")
    lines.append(f"ceiling (bare WSGI): {ceiling or 0:.0f} req/s; goals: ratio >= 3x, p99 ratio "
                 f"<= {P99_GOAL:.2f}, 0 errors, detail and cart view >= {CEILING_GOAL:.0%} "
                 f"of the ceiling; purchase_flow compares purchases/s")
    return lines


def main() -> int:
    args = options()
    if not Path(args.loadbench).is_file():
        print("make bench-compare is a development command and needs ../shared/bench/loadbench, "
              "which is not here; `make bench` measures shopcore alone.", file=sys.stderr)
        return 2
    out = ROOT / "bench" / "results" / f"compare-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    argv = [sys.executable, args.loadbench, "run", "drf_seed", "shopcore", "limit",
            "--repeats", str(args.repeats), "--duration", str(args.duration),
            "--products", str(args.products), "--var", f"shopcore_dir={ROOT}",
            "--out-dir", str(out)]
    if args.scenarios:
        argv += ["--scenarios", args.scenarios]
    print("[compare] " + " ".join(argv), file=sys.stderr, flush=True)
    if subprocess.run(argv, check=False).returncode != 0:
        return 1
    found = sorted(out.glob("*.json"))
    if not found:
        print(f"[compare] loadbench wrote no results in {out}", file=sys.stderr)
        return 1
    doc = json.loads(found[-1].read_text())
    print(f"\nshopcore / Django reference, medians of {args.repeats} round(s), "
          f"{args.duration} s per scenario, {args.products} products ({found[-1].name}):")
    print("\n".join(ratios(doc)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
