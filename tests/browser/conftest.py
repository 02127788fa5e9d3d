"""A served sample app and a headless Chromium (Debian's, driven by Playwright) for the tests.

The browser is the system one at ``/usr/bin/chromium`` (``.ci/run`` installs
it); Playwright never downloads a browser here. It starts with a fresh
profile and without background networking, so every request it makes is to
the app under test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("APPKIT_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / ".ci" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``lakehouse-appkit run`` on the local backend with dev identity, on a free port."""
    folder = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPKIT_", "DATABRICKS_"))}
    env.update(APPKIT_DATA_DIR=str(folder / "data"), APPKIT_CONFIG_DIR=str(folder), APP_ENV="dev",
               APPKIT_USER_RATE_LIMIT_PER_SECOND="1000", APPKIT_USER_RATE_LIMIT_BURST="1000")  # fmt: skip
    log = (folder / "run.log").open("wb")
    script = Path(sys.executable).with_name("lakehouse-appkit")
    server = subprocess.Popen(
        [str(script), "run", "--port", str(port)], cwd=folder, env=env, stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise AssertionError((folder / "run.log").read_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("the app did not start within 60 s") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's (apt-get install chromium), "
            "as .ci/run does"
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="appkit-chromium-") as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(15000)
        try:
            yield context
        finally:
            context.close()


@dataclass
class Console:
    url: str
    page: Any


@pytest.fixture
def console(served: str, browser_context: Any) -> Iterator[Console]:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        yield Console(served, page)
    finally:
        page.close()
