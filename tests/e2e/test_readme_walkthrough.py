"""The README's curl walk-through, replayed with the real curl against a real `shopcore serve`.

The server is prepared the way `make run` prepares it (its commands are read from
`make -n run`), then every ```sh block of the walk-through runs, in order, in one bash
script. A curl wrapper records each answer's status, which must match the README's
`# => <status>` lines one for one.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TEST_SECRET

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENTED_BASE = "http://127.0.0.1:8000"
WALKTHROUGH = "Walk-through with curl"
CLI = [sys.executable, "-m", "shopcore.entrypoints.cli"]
PRELUDE = r"""
set -euo pipefail
reset_link() {
  local link=""
  for _ in $(seq 1 50); do
    link=$(grep -oE 'https?://[^[:space:]]+/api/users/password_reset/confirm/[^[:space:]]+/' \
           "$SERVER_LOG" | tail -n 1 || true)
    if [ -n "$link" ]; then echo "$link"; return 0; fi
    sleep 0.1
  done
  echo "no password reset link in the server console" >&2
  return 1
}
"""


def walkthrough() -> str:
    """The ```sh blocks of the walk-through section, joined in order."""
    text = README.read_text()
    start = text.index(f"\n## {WALKTHROUGH}\n")
    end = text.index("\n## ", start + 1)
    blocks = re.findall(r"^```sh\n(.*?)^```$", text[start:end], flags=re.DOTALL | re.MULTILINE)
    return "\n".join(blocks)


def make_run_commands(port: int) -> list[list[str]]:
    """What `make run` would run, as argument lists for this Python."""
    printed = subprocess.run(["make", "--no-print-directory", "-n", "run", f"PORT={port}"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = printed.replace("\\\n", " ").splitlines()
    return [CLI + shlex.split(line)[1:] for line in lines
            if line.startswith(".venv/bin/shopcore ")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"shopcore serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if get_json(f"{base}/healthz") == {"status": "ok"}:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"shopcore serve did not answer /healthz:\n{log.read_text()}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """A `make run`-prepared server on a free port: its base URL, console log and env."""
    if shutil.which("make") is None or shutil.which("curl") is None:
        pytest.fail("the walk-through needs `make` and `curl` on PATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPCORE_", "STRIPE_"))}
    env.update(SHOPCORE_DATABASE_URL=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
               SHOPCORE_SECRET_KEY=TEST_SECRET, SHOPCORE_BCRYPT_ROUNDS="4",
               SHOPCORE_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    port = free_port()
    *prepare, serve = make_run_commands(port)
    assert serve[len(CLI)] == "serve", serve
    for command in prepare:
        subprocess.run(command, cwd=tmp_path, env=env, check=True, timeout=120,
                       capture_output=True)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(serve, cwd=tmp_path, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log)
        yield base, log, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def curl_wrapper(folder: Path) -> Path:
    """A `curl` that runs the real one and reports each answer's status on stderr."""
    folder.mkdir()
    wrapper = folder / "curl"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'exec "{shutil.which("curl")}" '
        "--write-out '%{stderr}@@ %{http_code} %{method} %{url_effective}\\n' \"$@\"\n")
    wrapper.chmod(0o755)
    return folder


def test_the_readme_walkthrough_answers_as_documented(
    served: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    base, log, env = served
    script = walkthrough()
    expected = [int(code) for code in re.findall(r"^# => (\d{3})\b", script, flags=re.MULTILINE)]
    assert len(expected) >= 15, "the walk-through lost its `# => <status>` lines"
    assert len(re.findall(r"^RESET_LINK=.*$", script, flags=re.MULTILINE)) == 1
    script = re.sub(r"^RESET_LINK=.*$", "RESET_LINK=$(reset_link)", script, flags=re.MULTILINE)
    bin_dir = curl_wrapper(tmp_path / "bin")
    run_env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "SERVER_LOG": str(log)}

    result = subprocess.run(["bash", "-c", PRELUDE + script.replace(DOCUMENTED_BASE, base)],
                            env=run_env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=180, check=False)

    answers = [line.split() for line in result.stderr.splitlines() if line.startswith("@@ ")]
    context = (f"\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
               f"\n--- server\n{log.read_text()[-3000:]}")
    assert result.returncode == 0, f"the walk-through stopped{context}"
    assert [int(a[1]) for a in answers] == expected, context
    assert "----- mail to alice@example.com" in log.read_text()
    for event in ("payment.failed", "payment.succeeded", "payment.refunded"):
        assert f" {event} key=" in log.read_text(), event
    categories = get_json(f"{base}/api/categories/?page_size=100")["results"]
    [keyboards] = [c for c in categories if c["name"] == "Keyboards"]
    listed = get_json(f"{base}/api/products/?category={keyboards['id']}")
    assert [(p["name"], p["price"], p["stock"]) for p in listed["results"]] == [
        ("Split keyboard", "129.00", 24)]  # one unit sold and refunded, one cancelled
    assert get_json(f"{base}/api/products/")["count"] == 201
    for query in ("keyboard", "keybaord", "SPLIT"):
        found = get_json(f"{base}/api/products/search/?q={query}")
        assert [p["name"] for p in found["results"]][:1] == ["Split keyboard"], query
    demo = get_json(f"{base}/api/products/?page_size=1")["results"][0]["name"]
    assert demo in [p["name"] for p in get_json(
        f"{base}/api/products/search/?q={urllib.parse.quote(demo)}")["results"]]
