"""The password-reset pages in a real browser: Debian's Chromium, headless, driven by Playwright,
against `shopcore serve` on a free loopback port, with the link read from the mailer's output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TEST_SECRET, free_port, service_missing

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
CLI = [sys.executable, "-m", "shopcore.entrypoints.cli"]
LINK = re.compile(r"http://\S+/api/users/password_reset/confirm/\S+/")
FORM_PATH = "/api/users/password_reset/confirm/"
NEW_PASSWORD = "browser-horse-44"


def post_json(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`shopcore serve` on a migrated SQLite file: its base URL and its console output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOPCORE_", "STRIPE_"))}
    env.update(SHOPCORE_DATABASE_URL=f"sqlite:///{tmp_path / 'shop.sqlite3'}",
               SHOPCORE_SECRET_KEY=TEST_SECRET, SHOPCORE_BCRYPT_ROUNDS="4",
               SHOPCORE_VAR_DIR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
    subprocess.run([*CLI, "db", "upgrade"], cwd=tmp_path, env=env, check=True, timeout=120,
                   capture_output=True)
    port, log = free_port(), tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*CLI, "serve", "--port", str(port)], cwd=tmp_path, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"shopcore serve did not come up:\n{log.read_text()}")
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium; missing, it fails the test under CI=true and skips it elsewhere."""
    if not os.access(CHROMIUM, os.X_OK):
        service_missing("Chromium", f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        service_missing("Playwright", exc)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def mailed_link(log: Path, timeout: float = 10.0) -> str:
    """The reset link in the console mailer's output (the relay sends it within a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        links = LINK.findall(log.read_text())
        if links:
            return str(links[-1])
        time.sleep(0.1)
    pytest.fail(f"no reset link was mailed:\n{log.read_text()}")


def test_a_person_resets_the_password_in_a_real_browser(
        server: tuple[str, Path], browser: Any, tmp_path: Path) -> None:
    base, log = server
    assert post_json(f"{base}/api/users/register/", {
        "username": "alice", "email": "alice@example.com", "password": "correct-horse-42"}) == 201
    shots = tmp_path / "screenshots"
    page = browser.new_page()

    page.goto(f"{base}/api/users/password_reset/")
    assert page.inner_text("h1") == "Reset your password"
    page.screenshot(path=shots / "1-request-form.png", full_page=True)
    page.fill("#email", "alice@example.com")
    page.click("button[type=submit]")
    assert page.inner_text("h1") == "Check your mail"
    page.screenshot(path=shots / "2-check-your-mail.png", full_page=True)

    link = mailed_link(log)
    assert link.startswith(f"{base}/api/users/password_reset/confirm/")
    page.goto(link)
    assert page.url == base + FORM_PATH  # the token left the address bar
    assert page.inner_text("h1") == "Choose a new password"
    page.screenshot(path=shots / "3-new-password-form.png", full_page=True)
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#new_password_confirm", NEW_PASSWORD)
    page.click("button[type=submit]")
    assert page.inner_text("h1") == "Password changed"
    page.screenshot(path=shots / "4-done.png", full_page=True)

    page.goto(link)
    assert page.inner_text("h1") == "This link cannot be used"
    assert "invalid, expired or already used" in page.inner_text("main")
    page.screenshot(path=shots / "5-used-link.png", full_page=True)

    assert post_json(f"{base}/api/users/token/",
                     {"username": "alice", "password": NEW_PASSWORD}) == 200
    token = link.rstrip("/").rsplit("/", 1)[-1]
    requests = [line for line in log.read_text().splitlines()
                if " werkzeug " in line and "GET /api/users/password_reset/confirm/" in line]
    assert any("/confirm/[redacted]/" in line for line in requests), requests
    assert not any(token in line for line in requests), requests
    for name in ("1-request-form", "2-check-your-mail", "3-new-password-form", "4-done",
                 "5-used-link"):
        assert (shots / f"{name}.png").stat().st_size > 1000, name
