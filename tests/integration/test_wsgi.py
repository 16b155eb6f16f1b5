"""The WSGI module a production server imports, once per worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc
import shopcore.entrypoints.wsgi as wsgi
print(type(wsgi.app).__name__, gc.get_freeze_count())
"""


def test_a_worker_freezes_what_it_built_at_start_out_of_the_collectors_way(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, SHOPCORE_DATABASE_URL=f"sqlite:///{tmp_path}/shop.sqlite3")
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=True)
    kind, frozen = done.stdout.split()
    assert kind == "ShopFlask"
    assert int(frozen) > 10_000  # the modules, the app and its container, all of them
