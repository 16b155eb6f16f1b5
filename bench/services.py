"""A private PostgreSQL cluster and Redis server on free loopback ports, and the processes' meters.

Standard library only. Each server is started by this module, in a fresh folder, and stopped
by its own PID (pg_ctl reads the cluster's postmaster.pid; Redis writes its pid file).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

LOCAL = "127.0.0.1"
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "shopcore_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return int(s.getsockname()[1])


def wait_port(port: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((LOCAL, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on {LOCAL}:{port} after {seconds:.0f}s")


def run(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return str(done.stdout)


class Services:
    """PostgreSQL (with pg_stat_statements) and Redis, both bound to 127.0.0.1."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.pgdata = state / "pgdata"
        self.sockets = state / "pgsock"
        self.redis_pidfile = state / "redis.pid"
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.pg_started = self.redis_started = False

    def _as_postgres(self, argv: list[str]) -> list[str]:
        # initdb and postgres refuse to run as root.
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def start(self) -> None:
        self.pgdata.mkdir(parents=True)
        self.sockets.mkdir()
        if os.geteuid() == 0:
            os.chmod(self.state, 0o755)
            for folder in (self.pgdata, self.sockets):
                shutil.chown(folder, "postgres", "postgres")
        run(self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
                               "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))
        options = (f"-c listen_addresses={LOCAL} -c port={self.pg_port}"
                   f" -c unix_socket_directories={self.sockets} -c max_connections=100"
                   " -c shared_preload_libraries=pg_stat_statements"
                   " -c pg_stat_statements.track=top -c pg_stat_statements.track_utility=off")
        run(self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata), "-l",
                               str(self.pgdata / "server.log"), "-w", "-o", options, "start"]))
        self.pg_started = True
        self.psql(f"CREATE DATABASE {DATABASE}")
        self.psql("CREATE EXTENSION pg_stat_statements")
        run(["redis-server", "--bind", LOCAL, "--port", str(self.redis_port), "--save", "",
             "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.redis_pidfile),
             "--dir", str(self.state), "--logfile", str(self.state / "redis.log")])
        self.redis_started = True
        wait_port(self.redis_port, 10)

    def stop(self) -> None:
        if self.redis_started:
            pid = _read_pid(self.redis_pidfile)
            if pid and _alive(pid):
                os.kill(pid, signal.SIGTERM)
                _wait_gone(pid, 10)
            self.redis_started = False
        if self.pg_started:
            subprocess.run(self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.pgdata),
                                              "-m", "fast", "-w", "stop"]),
                           capture_output=True, check=False)
            self.pg_started = False

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@{LOCAL}:{self.pg_port}/{DATABASE}"

    @property
    def redis_url(self) -> str:
        return f"redis://{LOCAL}:{self.redis_port}/0"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return run(["psql", "-X", "-q", "-t", "-A", "-h", LOCAL, "-p", str(self.pg_port),
                    "-U", "postgres", "-d", database, "-c", sql]).strip()

    def statements(self) -> int:
        """Statements the shop's database has run (utility commands such as BEGIN aside)."""
        # Read from another database, so this query is not counted itself.
        return int(self.psql(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE dbid ="
            f" (SELECT oid FROM pg_database WHERE datname = '{DATABASE}')") or 0)

    def redis_commands(self) -> int:
        """Commands Redis has run, the INFO calls of this meter aside."""
        info = run(["redis-cli", "-h", LOCAL, "-p", str(self.redis_port), "INFO", "commandstats"])
        calls = re.findall(r"^cmdstat_(\w+):calls=(\d+)", info, re.M)
        return sum(int(n) for name, n in calls if name != "info")

    def versions(self) -> dict[str, str]:
        info = run(["redis-cli", "-h", LOCAL, "-p", str(self.redis_port), "INFO", "server"])
        found = re.search(r"redis_version:(\S+)", info)
        return {"postgresql": self.psql("SHOW server_version"),
                "redis": found.group(1) if found else "?"}


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _wait_gone(pid: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < end:
        time.sleep(0.1)


def children(pid: int) -> list[int]:
    """The PIDs whose parent is `pid` (gunicorn's workers, for its master)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else 0
