"""The emulated workspace's Apps and workspace-files areas, through the unmodified SDK."""

from __future__ import annotations

import base64

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import (
    BadRequest,
    NotFound,
    PermissionDenied,
    ResourceAlreadyExists,
)
from databricks.sdk.service.apps import App, AppDeployment, ComputeState
from databricks.sdk.service.workspace import ImportFormat, ObjectType


@pytest.fixture
def w(emulator) -> WorkspaceClient:
    emulator.reset()
    return WorkspaceClient(host=emulator.host, token=emulator.admin_token, auth_type="pat")


def _put(w: WorkspaceClient, path: str, data: bytes = b"print('hi')\n") -> None:
    w.workspace.import_(
        path, content=base64.b64encode(data).decode(), format=ImportFormat.AUTO, overwrite=True
    )


def test_workspace_and_plain_paths_name_the_same_file(w) -> None:
    w.workspace.mkdirs("/Workspace/Users/admin@example.com/src")
    _put(w, "/Users/admin@example.com/src/app.py")
    info = w.workspace.get_status("/Workspace/Users/admin@example.com/src/app.py")
    assert info.object_type == ObjectType.FILE
    assert w.workspace.download("/Users/admin@example.com/src/app.py").read() == b"print('hi')\n"


def test_import_needs_the_parent_folder(w) -> None:
    with pytest.raises(NotFound):
        _put(w, "/Users/admin@example.com/missing/app.py")


def test_import_without_overwrite_refuses_an_existing_file(w) -> None:
    w.workspace.mkdirs("/Shared/x")
    _put(w, "/Shared/x/a.txt")
    with pytest.raises(ResourceAlreadyExists):
        w.workspace.import_("/Shared/x/a.txt", content="", format=ImportFormat.AUTO)


def test_notebook_header_makes_a_notebook(w) -> None:
    w.workspace.mkdirs("/Shared/nb")
    _put(w, "/Shared/nb/job.py", b"# Databricks notebook source\nprint(1)\n")
    assert w.workspace.get_status("/Shared/nb/job.py").object_type == ObjectType.NOTEBOOK


def test_delete_of_a_non_empty_folder_needs_recursive(w) -> None:
    w.workspace.mkdirs("/Shared/d")
    _put(w, "/Shared/d/a.txt")
    with pytest.raises(BadRequest):
        w.workspace.delete("/Shared/d")
    w.workspace.delete("/Shared/d", recursive=True)
    with pytest.raises(NotFound):
        w.workspace.get_status("/Shared/d")


def test_users_write_only_in_their_home_or_shared(w, emulator) -> None:
    dave = emulator.add_principal("dave@example.com")
    as_dave = WorkspaceClient(host=emulator.host, token=dave["token"], auth_type="pat")
    as_dave.workspace.mkdirs("/Users/dave@example.com/app")
    with pytest.raises(PermissionDenied):
        as_dave.workspace.mkdirs("/Users/admin@example.com/app")


SERVER_PY = b"""\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Answer(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"up")


HTTPServer(("0.0.0.0", int(os.environ["DATABRICKS_APP_PORT"])), Answer).serve_forever()
"""


def test_app_lifecycle_create_deploy_run(w) -> None:
    w.workspace.mkdirs("/Shared/app")
    _put(w, "/Shared/app/app.yaml", b"command: [python, app.py]\n")
    _put(w, "/Shared/app/app.py", SERVER_PY)
    created = w.apps.create_and_wait(App(name="risk-app", user_api_scopes=["sql"]))
    assert created.compute_status and created.compute_status.state == ComputeState.ACTIVE
    deployment = w.apps.deploy_and_wait(
        "risk-app", AppDeployment(source_code_path="/Workspace/Shared/app")
    )
    assert (
        deployment.status
        and deployment.status.state
        and deployment.status.state.value == "SUCCEEDED"
    )
    app = w.apps.get("risk-app")
    assert app.active_deployment and app.active_deployment.deployment_id == deployment.deployment_id
    assert app.user_api_scopes == ["sql"]
    assert [a.name for a in w.apps.list()] == ["risk-app"]


def test_deploying_an_empty_folder_fails(w) -> None:
    w.workspace.mkdirs("/Shared/empty")
    w.apps.create_and_wait(App(name="empty-app"))
    started = w.apps.deploy("empty-app", AppDeployment(source_code_path="/Shared/empty"))
    deployment_id = started.response.deployment_id
    state = None
    for _ in range(3):
        state = w.apps.get_deployment("empty-app", deployment_id).status.state.value
    assert state == "FAILED"


def test_deploy_needs_an_existing_source_folder(w) -> None:
    w.apps.create_and_wait(App(name="lost-app"))
    with pytest.raises(BadRequest, match="does not exist"):
        w.apps.deploy("lost-app", AppDeployment(source_code_path="/Shared/nowhere"))


def test_app_names_follow_the_service_rule(w) -> None:
    with pytest.raises(BadRequest):
        w.apps.create(App(name="Risk_App"))


def test_only_managers_change_an_app(w, emulator) -> None:
    w.apps.create_and_wait(App(name="risk-app"))
    dave = emulator.add_principal("dave@example.com")
    as_dave = WorkspaceClient(host=emulator.host, token=dave["token"], auth_type="pat")
    with pytest.raises(PermissionDenied):
        as_dave.apps.get("risk-app")
    from databricks.sdk.service.apps import AppAccessControlRequest, AppPermissionLevel

    w.apps.set_permissions(
        "risk-app",
        access_control_list=[
            AppAccessControlRequest(
                user_name="dave@example.com", permission_level=AppPermissionLevel.CAN_USE
            )
        ],
    )
    assert as_dave.apps.get("risk-app").name == "risk-app"
    with pytest.raises(PermissionDenied):
        as_dave.apps.update("risk-app", App(name="risk-app", description="mine"))


def test_reset_forgets_apps_and_files(w, emulator) -> None:
    w.apps.create(App(name="risk-app"))
    w.workspace.mkdirs("/Shared/x")
    emulator.reset()
    with pytest.raises(NotFound):
        w.apps.get("risk-app")
    with pytest.raises(NotFound):
        w.workspace.get_status("/Shared/x")


def test_export_answers_base64_content_and_listing_a_missing_folder_is_404(w) -> None:
    w.workspace.mkdirs("/Shared/e")
    _put(w, "/Shared/e/notes.txt", b"hello")
    exported = w.workspace.export("/Shared/e/notes.txt")
    assert base64.b64decode(exported.content or "") == b"hello"
    with pytest.raises(NotFound):
        list(w.workspace.list("/Shared/missing"))


def test_apps_list_pages(w) -> None:
    for index in range(3):
        w.apps.create(App(name=f"app-{index}"), no_compute=True)
    assert [a.name for a in w.apps.list(page_size=2)] == ["app-0", "app-1", "app-2"]
    stopped = w.apps.get("app-0")
    assert stopped.compute_status and stopped.compute_status.state == ComputeState.STOPPED
