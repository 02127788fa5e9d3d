"""Deployed apps really run: the ``app.yaml`` command in a subprocess on a port of this machine.

A deployment writes the snapshot of its source folder to a fresh directory
and starts the command there (``app.yaml``'s, else ``python <first .py>``),
with ``$DATABRICKS_APP_PORT`` substituted, no shell, and the environment the
Apps runtime gives: ``DATABRICKS_APP_NAME``, ``DATABRICKS_APP_PORT``,
``DATABRICKS_HOST``, ``DATABRICKS_WORKSPACE_ID``, the app's own service
principal as ``DATABRICKS_CLIENT_ID``/``DATABRICKS_CLIENT_SECRET``, then
``app.yaml``'s ``env`` (``valueFrom`` resolved by the caller). Nothing else
of this process's environment leaks in but ``PATH`` (this interpreter's
folder first), ``HOME``, ``LANG`` and ``TMPDIR``. ``requirements.txt`` is not
installed: the app runs on this interpreter's packages.

The deployment succeeds once the app answers HTTP on its port; it fails,
with the tail of the app's output, when the process exits first or does not
answer within ``start_seconds``. Stdout and stderr are kept per app
(``logs``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PORT_VARIABLE = "$DATABRICKS_APP_PORT"
KEPT_FROM_HOST = ("HOME", "LANG", "TMPDIR", "SYSTEMROOT")
LOG_TAIL_LINES = 40

Finished = Callable[[bool, str], None]
"""``(started, message)``: how a launch ended (message: why, with the log tail on failure)."""


class CommandProblem(ValueError):
    """The snapshot holds no command the runtime can start."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_yaml_of(files: Mapping[str, bytes]) -> dict[str, object]:
    for name in ("app.yaml", "app.yml"):
        if name in files:
            loaded = yaml.safe_load(files[name].decode("utf-8")) or {}
            if not isinstance(loaded, dict):
                raise CommandProblem(f"{name} must be a mapping with command and env")
            return loaded
    return {}


def command_of(files: Mapping[str, bytes], port: int) -> list[str]:
    """The command to run, ``$DATABRICKS_APP_PORT`` substituted (the only substitution)."""
    command = app_yaml_of(files).get("command")
    if command is None:
        scripts = sorted(name for name in files if name.endswith(".py") and "/" not in name)
        if not scripts:
            raise CommandProblem("no app.yaml command and no .py file at the top of the source")
        command = ["python", scripts[0]]
    if not isinstance(command, list) or not all(isinstance(a, str) for a in command) or not command:
        raise CommandProblem("app.yaml command must be a list of strings")
    return [a.replace(PORT_VARIABLE, str(port)).replace("${DATABRICKS_APP_PORT}", str(port))
            for a in command]  # fmt: skip


@dataclass
class RunningApp:
    name: str
    port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    lines: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self, count: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.lines[-count:])


class AppRunner:
    """Starts, watches and stops the processes of deployed apps (one per app name)."""

    def __init__(self, *, start_seconds: float = 60.0, keep_lines: int = 2000) -> None:
        self.start_seconds = start_seconds
        self.keep_lines = keep_lines
        self._lock = threading.Lock()
        self._apps: dict[str, RunningApp] = {}

    def launch(
        self,
        name: str,
        files: Mapping[str, bytes],
        environment: Mapping[str, str],
        finished: Finished,
    ) -> RunningApp:
        """Stop ``name``'s running process, start the new snapshot; ``finished`` is called once
        from a background thread when it answers or fails."""
        self.stop(name)
        port = free_port()
        folder = Path(tempfile.mkdtemp(prefix=f"emulated-app-{name}-"))
        running = RunningApp(name, port, folder)
        with self._lock:
            self._apps[name] = running
        threading.Thread(
            target=self._start, args=(running, dict(files), dict(environment), finished),
            name=f"emulated-app-{name}", daemon=True,
        ).start()  # fmt: skip
        return running

    def _start(
        self, running: RunningApp, files: dict[str, bytes], env: dict[str, str], finished: Finished
    ) -> None:
        try:
            command = command_of(files, running.port)
        except (CommandProblem, yaml.YAMLError, UnicodeDecodeError) as problem:
            finished(False, f"App failed to start: {problem}")
            return
        for relative, content in files.items():
            target = running.folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        bin_dir = str(Path(sys.executable).parent)
        base = {k: os.environ[k] for k in KEPT_FROM_HOST if k in os.environ}
        base["PATH"] = os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"])
        if command[0] == "python":
            command[0] = sys.executable
        try:
            process = subprocess.Popen(  # noqa: S603 - the deployed app's own command, no shell
                command, cwd=running.folder, env={**base, **env, "DATABRICKS_APP_PORT": str(running.port)},
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            finished(False, f"App failed to start: cannot run {command[0]!r}: {exc.strerror}")
            return
        running.process = process
        threading.Thread(target=self._read, args=(running,), daemon=True).start()
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if running.stopped:
                return
            if process.poll() is not None:
                time.sleep(0.2)  # let the reader take the last lines
                finished(
                    False,
                    f"App failed to start: the process exited with code {process.returncode}. "
                    f"Last output:\n{running.tail()}",
                )
                return
            if _answers(running.url):
                finished(True, "App started successfully")
                return
            time.sleep(0.2)
        self.stop(running.name)
        finished(
            False,
            f"App failed to start: nothing answered on port {running.port} within "
            f"{self.start_seconds:g}s. Last output:\n{running.tail()}",
        )

    def _read(self, running: RunningApp) -> None:
        assert running.process is not None and running.process.stdout is not None
        for raw in running.process.stdout:
            running.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
            if len(running.lines) > self.keep_lines:
                del running.lines[: len(running.lines) - self.keep_lines]

    def get(self, name: str) -> RunningApp | None:
        with self._lock:
            return self._apps.get(name)

    def logs(self, name: str, tail: int = 200) -> list[str]:
        running = self.get(name)
        return [] if running is None else running.lines[-tail:]

    def stop(self, name: str) -> None:
        with self._lock:
            running = self._apps.pop(name, None)
        if running is None:
            return
        running.stopped = True
        process = running.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        shutil.rmtree(running.folder, ignore_errors=True)

    def stop_all(self) -> None:
        with self._lock:
            names = list(self._apps)
        for name in names:
            self.stop(name)


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (any status counts: the app is up)."""
    try:
        with urllib.request.urlopen(url + "/", timeout=2):  # noqa: S310 - our own loopback URL
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False
