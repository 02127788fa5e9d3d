"""Secrets API and Jobs API through the official SDK."""

from __future__ import annotations

import base64

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import PermissionDenied, ResourceDoesNotExist
from databricks.sdk.service.jobs import (
    NotebookTask,
    RunLifeCycleState,
    RunResultState,
    Task,
)
from databricks.sdk.service.workspace import AclPermission

from tests.workspace.conftest import ClientFor


def test_secret_round_trip_returns_base64_value(workspace_client: WorkspaceClient) -> None:
    secrets = workspace_client.secrets
    secrets.create_scope("governance")
    secrets.put_secret("governance", "api-key", string_value="s3cr3t")
    secrets.put_secret("governance", "blob", bytes_value=base64.b64encode(b"\x00\x01").decode())
    assert [s.name for s in secrets.list_scopes()] == ["governance"]
    assert [s.key for s in secrets.list_secrets("governance")] == ["api-key", "blob"]
    fetched = secrets.get_secret("governance", "api-key")
    assert base64.b64decode(fetched.value) == b"s3cr3t"
    assert base64.b64decode(secrets.get_secret("governance", "blob").value) == b"\x00\x01"
    secrets.delete_secret("governance", "api-key")
    with pytest.raises(ResourceDoesNotExist):
        secrets.get_secret("governance", "api-key")
    secrets.delete_scope("governance")
    with pytest.raises(ResourceDoesNotExist):
        secrets.list_secrets("governance")


def test_secret_acls_decide_who_reads(
    workspace_client: WorkspaceClient, client_for: ClientFor
) -> None:
    workspace_client.secrets.create_scope("team", initial_manage_principal=None)
    workspace_client.secrets.put_secret("team", "token", string_value="t")
    bob = client_for("bob@example.com")
    with pytest.raises(PermissionDenied):
        bob.secrets.get_secret("team", "token")
    workspace_client.secrets.put_acl("team", "bob@example.com", AclPermission.READ)
    assert base64.b64decode(bob.secrets.get_secret("team", "token").value) == b"t"
    with pytest.raises(PermissionDenied):
        bob.secrets.put_secret("team", "token", string_value="changed")
    acls = {a.principal: a.permission for a in workspace_client.secrets.list_acls("team")}
    assert acls["bob@example.com"] == AclPermission.READ


def _job(client: WorkspaceClient) -> int:
    created = client.jobs.create(
        name="nightly-dq",
        tasks=[Task(task_key="check", notebook_task=NotebookTask(notebook_path="/Repos/dq/check"))],
    )
    return int(created.job_id)


def test_job_run_advances_to_terminated_success_on_polls(workspace_client: WorkspaceClient) -> None:
    job_id = _job(workspace_client)
    assert workspace_client.jobs.get(job_id).settings.name == "nightly-dq"
    waiter = workspace_client.jobs.run_now(job_id, job_parameters={"day": "2026-11-26"})
    states = [workspace_client.jobs.get_run(waiter.run_id).state.life_cycle_state for _ in range(3)]
    assert states == [
        RunLifeCycleState.RUNNING,
        RunLifeCycleState.TERMINATED,
        RunLifeCycleState.TERMINATED,
    ]
    run = workspace_client.jobs.get_run(waiter.run_id)
    assert run.state.result_state == RunResultState.SUCCESS
    assert run.tasks[0].task_key == "check"
    runs = list(workspace_client.jobs.list_runs(job_id=job_id))
    assert [r.run_id for r in runs] == [waiter.run_id]


def test_run_now_waiter_returns_the_terminated_run(workspace_client: WorkspaceClient) -> None:
    run = workspace_client.jobs.run_now(_job(workspace_client)).result()
    assert run.state.life_cycle_state == RunLifeCycleState.TERMINATED
    assert run.state.result_state == RunResultState.SUCCESS


def test_cancelled_run_terminates_canceled(workspace_client: WorkspaceClient) -> None:
    waiter = workspace_client.jobs.run_now(_job(workspace_client))
    workspace_client.jobs.cancel_run(waiter.run_id)
    run = workspace_client.jobs.get_run(waiter.run_id)
    assert run.state.result_state == RunResultState.CANCELED


def test_missing_job_and_run_raise_resource_does_not_exist(
    workspace_client: WorkspaceClient,
) -> None:
    with pytest.raises(ResourceDoesNotExist):
        workspace_client.jobs.get(999999)
    with pytest.raises(ResourceDoesNotExist):
        workspace_client.jobs.get_run(999999)


def test_jobs_are_listed(workspace_client: WorkspaceClient) -> None:
    first, second = _job(workspace_client), _job(workspace_client)
    assert [job.job_id for job in workspace_client.jobs.list()] == [first, second]


def test_job_settings_reset_and_update(workspace_client: WorkspaceClient) -> None:
    from databricks.sdk.service.jobs import JobSettings

    job_id = _job(workspace_client)
    workspace_client.jobs.update(job_id, new_settings=JobSettings(max_concurrent_runs=3))
    assert workspace_client.jobs.get(job_id).settings.max_concurrent_runs == 3
    workspace_client.jobs.reset(job_id, new_settings=JobSettings(name="renamed"))
    settings = workspace_client.jobs.get(job_id).settings
    assert settings.name == "renamed" and settings.max_concurrent_runs is None


def test_one_time_run_is_submitted_and_terminates(workspace_client: WorkspaceClient) -> None:
    from databricks.sdk.service.jobs import SubmitTask

    waiter = workspace_client.jobs.submit(
        run_name="adhoc",
        tasks=[SubmitTask(task_key="t", notebook_task=NotebookTask(notebook_path="/x"))],
    )
    for _ in range(2):
        run = workspace_client.jobs.get_run(waiter.run_id)
    assert run.state.life_cycle_state == RunLifeCycleState.TERMINATED
    assert run.run_name == "adhoc"


def test_jobs_are_served_on_the_2_1_paths_older_sdks_use(
    workspace_client: WorkspaceClient,
) -> None:
    job_id = _job(workspace_client)
    listed = workspace_client.api_client.do("GET", "/api/2.1/jobs/list")
    assert [job["job_id"] for job in listed["jobs"]] == [job_id]
    run = workspace_client.api_client.do("POST", "/api/2.1/jobs/run-now", body={"job_id": job_id})
    got = workspace_client.api_client.do(
        "GET", "/api/2.1/jobs/runs/get", query={"run_id": run["run_id"]}
    )
    assert got["state"]["life_cycle_state"] == "RUNNING"
