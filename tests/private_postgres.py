"""A private PostgreSQL cluster (initdb, pg_ctl) on a free port, for tests that stop it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.helpers import free_port

BIN = Path(os.environ.get("SHOPCORE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresFailed(Exception):
    """The cluster could not be created, started or stopped."""


class PrivatePostgres:
    """One cluster in its own folder, trust auth on 127.0.0.1, fsync off; started and stopped
    at will, its data kept across restarts."""

    def __init__(self, folder: Path) -> None:
        # PostgreSQL refuses to run as root: then its own user runs it, in a folder it owns.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.folder = Path(tempfile.mkdtemp(prefix="shopcore-pg-")) if self.as_user else folder
        self.data, self.log = self.folder / "data", self.folder / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/shop"

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True,
                              timeout=60, check=False)
        if done.returncode != 0:
            raise PostgresFailed(f"{command[0]}: {done.stderr or done.stdout}")

    def create(self) -> None:
        if not (BIN / "initdb").exists():
            raise PostgresFailed(f"no initdb in {BIN}")
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8")
        self.start()
        self._run(str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "shop")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                   "-c fsync=off -c full_page_writes=off")
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (rolling back open transactions); `immediate` crashes."""
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30",
                  "stop")

    def destroy(self) -> None:
        with contextlib.suppress(PostgresFailed):  # already stopped
            self.stop("immediate")
        if self.as_user:
            shutil.rmtree(self.folder, ignore_errors=True)
