"""shopcore under gunicorn for the benchmark: set up, started, given users and carts, driven."""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.services import DATABASE, LOCAL, Services, children, free_port, rss_kib

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "scenarios.lua"
# Words the demo catalog's product names are made of (populate-data's KINDS and QUALITIES).
WORDS = ["laptop", "keyboard", "mouse", "monitor", "headphones", "speaker", "webcam", "camera",
         "tripod", "tablet", "charger", "router", "wireless", "ergonomic", "portable", "rugged"]
SECRET = "bench-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"


class Shop:
    """One shopcore deployment: its environment, its gunicorn master, its base URL."""

    def __init__(self, services: Services, state: Path, workers: int) -> None:
        self.services = services
        self.port = free_port()
        self.base = f"http://{LOCAL}:{self.port}"
        self.log = state / "gunicorn.log"
        self.env = dict(os.environ, SHOPCORE_DATABASE_URL=services.database_url,
                        SHOPCORE_REDIS_URL=services.redis_url, SHOPCORE_SECRET_KEY=SECRET,
                        SHOPCORE_VAR_DIR=str(state / "var"), SHOPCORE_WEB_WORKERS=str(workers),
                        SHOPCORE_BIND=f"{LOCAL}:{self.port}", SHOPCORE_LOG_LEVEL="warning")
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *args: str) -> str:
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "shopcore"), *args], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"shopcore {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout.strip()

    def populate(self, products: int) -> float:
        """Migrate and add the demo catalog; the seconds populate-data took."""
        self.command("db", "upgrade")
        started = time.perf_counter()
        self.command("populate-data", "--users", "0", "--categories", "20",
                     "--products", str(products))
        seconds = time.perf_counter() - started
        self.services.psql("VACUUM ANALYZE", DATABASE)
        return seconds

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "docker/gunicorn.conf.py",
                 "shopcore.entrypoints.wsgi:app"], cwd=ROOT, env=self.env, stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        end = time.monotonic() + 90
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            if self.call("GET", "/healthz")[0] == 200:
                return
            time.sleep(0.3)
        raise RuntimeError(f"shopcore did not answer within 90 s; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def worker_rss(self) -> dict[int, int]:
        """RSS of each gunicorn worker, in KiB, by PID."""
        assert self.process is not None
        return {pid: rss_kib(pid) for pid in children(self.process.pid)}

    def call(self, method: str, path: str, body: Any = None,
             token: str | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except OSError:
            return 0, None
        return status, json.loads(raw) if raw else None

    def prepare(self, data: Path, concurrency: int, tag: str) -> dict[str, Any]:
        """Ids, words and logged-in users in `data` for the Lua script; warm carts."""
        ids = self.services.psql("SELECT id FROM products ORDER BY id", DATABASE).split()
        categories = self.services.psql("SELECT id FROM categories ORDER BY id", DATABASE).split()
        (data / "product_ids.txt").write_text("\n".join(ids) + "\n")
        (data / "category_ids.txt").write_text("\n".join(categories) + "\n")
        (data / "words.txt").write_text("\n".join(WORDS) + "\n")
        with cf.ThreadPoolExecutor(max_workers=4) as pool:
            tokens = list(pool.map(lambda n: self._user(f"{tag}u{n}"), range(2 * concurrency)))
            (data / "tokens_cart.txt").write_text("\n".join(tokens[:concurrency]) + "\n")
            (data / "tokens_flow.txt").write_text("\n".join(tokens[concurrency:]) + "\n")
            list(pool.map(lambda t: self._warm_cart(t, ids), tokens[:concurrency]))
        return {"product_ids": len(ids), "categories": len(categories), "users": len(tokens)}

    def _user(self, name: str) -> str:
        password = f"Bench-{name}-pass!"
        status, answer = self.call("POST", "/api/users/register/", {
            "username": name, "password": password, "email": f"{name}@example.com"})
        if status != 201:
            raise RuntimeError(f"register {name}: {status} {answer}")
        status, answer = self.call("POST", "/api/users/token/",
                                   {"username": name, "password": password})
        if status != 200:
            raise RuntimeError(f"token {name}: {status} {answer}")
        return str(answer["access"])

    def _warm_cart(self, token: str, ids: list[str]) -> None:
        """Three lines, then two reads: the cart view scenario reads a cached cart."""
        for product_id in ids[len(ids) // 3::max(1, len(ids) // 7)][:3]:
            status, answer = self.call("POST", "/api/cart/add/",
                                       {"product_id": int(product_id), "quantity": 1}, token)
            if status != 200:
                raise RuntimeError(f"cart add: {status} {answer}")
        for _ in range(2):
            self.call("GET", "/api/cart/", token=token)


def wrk(base: str, scenario: str, seconds: int, concurrency: int, data: Path,
        pages: dict[str, str]) -> dict[str, Any]:
    """One wrk run of `scenario`, bounded by `seconds`; its BENCH_RESULT line, parsed."""
    env = dict(os.environ, BENCH_SCENARIO=scenario, BENCH_DATA=str(data), **pages)
    argv = ["wrk", "-t", str(concurrency), "-c", str(concurrency), "-d", f"{seconds}s",
            "--timeout", "10s", "-s", str(LUA), base + "/"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 60,
                          check=False)
    found = re.search(r"^BENCH_RESULT (.*)$", done.stdout, re.M)
    if not found:
        raise RuntimeError(f"wrk gave no result for {scenario}:\n{done.stdout[-1500:]}"
                           f"{done.stderr[-1500:]}")
    result: dict[str, Any] = json.loads(found.group(1))
    return result
