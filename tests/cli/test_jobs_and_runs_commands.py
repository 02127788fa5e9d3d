"""``jobs list --limit``, ``jobs create`` from JSON or YAML, and ``runs get/repair/cancel-all``."""

from __future__ import annotations

import json

FAILING = {"fail_task": "post"}  # the emulator fails the task named by this job parameter


def _create(ws_cli, tmp_path, name: str = "month-end", suffix: str = ".yaml") -> int:
    definition = tmp_path / f"job{suffix}"
    tasks = [
        {"task_key": "extract", "notebook_task": {"notebook_path": "/j/extract"}},
        {"task_key": "post", "notebook_task": {"notebook_path": "/j/post"}},
    ]
    if suffix == ".json":
        definition.write_text(json.dumps({"name": name, "tasks": tasks}))
    else:
        lines = [f"name: {name}", "tasks:"]
        for task in tasks:
            lines += [f"  - task_key: {task['task_key']}", "    notebook_task:",
                      f"      notebook_path: {task['notebook_task']['notebook_path']}"]  # fmt: skip
        definition.write_text("\n".join(lines) + "\n")
    created = ws_cli("jobs", "create", str(definition))
    assert created.exit_code == 0, created.output
    return int(created.stdout.strip())


def test_jobs_create_from_yaml_and_json_then_list_with_a_limit(ws_cli, emulator, tmp_path):
    first = _create(ws_cli, tmp_path, "from-yaml")
    second = _create(ws_cli, tmp_path, "from-json", ".json")
    job = emulator.client().jobs.get(first)
    assert [t.task_key for t in job.settings.tasks] == ["extract", "post"]
    listed = ws_cli("jobs", "list", "--limit", "1", "--json")
    assert listed.exit_code == 0
    assert [j["job_id"] for j in json.loads(listed.stdout)] == [first]
    both = json.loads(ws_cli("jobs", "list", "--json").stdout)
    assert [j["job_id"] for j in both] == [first, second]


def test_jobs_create_refuses_a_file_that_is_not_a_job_definition(ws_cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks: [\n")
    assert ws_cli("jobs", "create", str(bad)).exit_code == 2
    nameless = tmp_path / "nameless.json"
    nameless.write_text('{"tasks": []}')
    result = ws_cli("jobs", "create", str(nameless))
    assert result.exit_code == 2 and "name" in result.stderr
    assert ws_cli("jobs", "create", str(tmp_path / "missing.yaml")).exit_code == 2


def test_a_failed_run_shows_task_output_and_is_repaired_to_success(ws_cli, emulator, tmp_path):
    job_id = _create(ws_cli, tmp_path)
    failed = ws_cli("jobs", "run", str(job_id), "-p", "fail_task=post", "--json")
    assert failed.exit_code == 1
    run_id = json.loads(failed.stdout)["run_id"]
    shown = json.loads(ws_cli("runs", "get", str(run_id), "--json").stdout)
    tasks = {t["task_key"]: t for t in shown["tasks"]}
    assert tasks["extract"]["result"] == "SUCCESS" and tasks["extract"]["output"] == "extract: ok"
    assert tasks["post"]["result"] == "FAILED" and "failed" in tasks["post"]["output"]

    repaired = ws_cli("runs", "repair", str(run_id), "--all-failed", "-p", "fail_task=", "--json")
    assert repaired.exit_code == 0, repaired.output
    assert json.loads(repaired.stdout)["result_state"] == "SUCCESS"
    after = json.loads(ws_cli("runs", "get", str(run_id), "--json").stdout)
    post = next(t for t in after["tasks"] if t["task_key"] == "post")
    assert post["task_run_id"] != tasks["post"]["task_run_id"] and post["output"] == "post: ok"


def test_runs_repair_needs_tasks_and_an_existing_run(ws_cli):
    assert ws_cli("runs", "repair", "1001").exit_code == 2
    missing = ws_cli("runs", "repair", "999999", "--all-failed")
    assert missing.exit_code == 3, missing.output
    assert ws_cli("runs", "get", "999999").exit_code == 3


def test_runs_cancel_all_stops_every_active_run_of_the_job(ws_cli, emulator, tmp_path):
    job_id = _create(ws_cli, tmp_path)
    ids = [ws_cli("jobs", "run", str(job_id), "--no-wait").stdout.strip() for _ in range(2)]
    result = ws_cli("runs", "cancel-all", str(job_id))
    assert result.exit_code == 0, result.output
    client = emulator.client()
    assert {client.jobs.get_run(int(i)).state.result_state.value for i in ids} == {"CANCELED"}
    assert ws_cli("runs", "cancel-all", "999999").exit_code == 3
