"""Start-up cost of the command line and of the app factory, as a ratio to a bare interpreter.

Run: .venv/bin/python bench/bench_startup.py [--repeats R]

Each case runs in a fresh interpreter (``python -c ...`` or the console
script), R times; the median wall time is printed beside ``python -c pass``
on the same machine, as a ratio, with the goal. Each case also reports
whether ``databricks.sdk`` was imported: the local and memory paths must not.

Cases:

1. ``lakehouse-appkit --version`` (goal: under 0.3 s);
2. ``import appkit_web.cli`` then ``run --help`` (what ``run`` pays before uvicorn);
3. ``create_app`` on the memory backend;
4. ``create_app`` on the local backend (building the app, not opening the engine);
5. ``create_app`` on the databricks backend (it needs databricks-sdk; for comparison).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
SCRIPT = str(Path(PYTHON).with_name("lakehouse-appkit"))
SDK_PROBE = "import sys; print('SDK' if 'databricks.sdk' in sys.modules else 'no-sdk')"


def _factory(backend: str, data_dir: str) -> str:
    settings = {"APPKIT_BACKEND": backend, "APPKIT_DATA_DIR": data_dir, "APP_ENV": "test"}
    if backend == "databricks":
        settings.update(
            DATABRICKS_HOST="http://127.0.0.1:9",
            DATABRICKS_TOKEN="bench",
            DATABRICKS_WAREHOUSE_ID="bench",
        )
    return (
        "from appkit_web.settings import load_settings\n"
        "from appkit_web.app import create_app\n"
        f"create_app(load_settings({settings!r}))\n" + SDK_PROBE
    )


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def median_of(command: list[str], env: dict[str, str], repeats: int) -> tuple[float, str]:
    _timed(command, env)  # warm the file cache (and .pyc files) once
    runs = [_timed(command, env) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APPKIT_", "DATABRICKS_"))}
    data_dir = tempfile.mkdtemp(prefix="bench-startup-")
    bare, _ = median_of([PYTHON, "-c", "pass"], env, args.repeats)
    cases: list[tuple[str, list[str], str]] = [
        ("lakehouse-appkit --version", [SCRIPT, "--version"], "< 0.3 s"),
        (
            "run --help (CLI import)",
            [
                PYTHON,
                "-c",
                "import sys\nsys.argv = ['lakehouse-appkit', 'run', '--help']\n"
                "from appkit_web.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
                + SDK_PROBE,
            ],
            "no databricks.sdk",
        ),
        ("create_app, memory backend", [PYTHON, "-c", _factory("memory", data_dir)], "no sdk"),
        ("create_app, local backend", [PYTHON, "-c", _factory("local", data_dir)], "no sdk"),
        ("create_app, databricks backend", [PYTHON, "-c", _factory("databricks", data_dir)], "-"),
    ]
    print(f"python -c pass: {bare * 1000:7.1f} ms (median of {args.repeats})")
    print(f"{'case':34} {'median':>9} {'x bare':>7}  {'sdk':7} goal")
    for label, command, goal in cases:
        seconds, probe = median_of(command, env, args.repeats)
        sdk = {"SDK": "yes", "no-sdk": "no"}.get(probe, "-")
        print(f"{label:34} {seconds * 1000:7.1f} ms {seconds / bare:6.1f}x  {sdk:7} {goal}")


if __name__ == "__main__":
    main()
