"""DBFS, the Files API on volumes and workspace import/export, through the official SDK.

These cover what databricks-sdk-py's own integration suite calls for files and the
workspace tree (DBFS streams, copy and move, volume uploads with the new Files client,
notebook round trips) against one emulator for the module.
"""

from __future__ import annotations

import io

import pytest
import requests
from databricks.sdk import FilesExt, WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, ResourceAlreadyExists
from databricks.sdk.service.catalog import VolumeType
from databricks.sdk.service.workspace import ImportFormat, Language

from appkit_testing.workspace import EmulatedWorkspace


@pytest.fixture(scope="module")
def w(emulator: EmulatedWorkspace) -> WorkspaceClient:
    return emulator.client()


@pytest.fixture(scope="module")
def volume(w: WorkspaceClient) -> str:
    w.schemas.create(name="files-it", catalog_name="main")
    w.volumes.create("main", "files-it", "landing", VolumeType.MANAGED)
    return "/Volumes/main/files-it/landing"


def test_dbfs_streams_a_large_file_in_blocks_and_reads_it_back(w: WorkspaceClient) -> None:
    payload = bytes(range(256)) * 6000  # 1.5 MB: more than one block each way
    with w.dbfs.open("/tmp/big.bin", write=True, overwrite=True) as out:
        assert out.write(payload) == len(payload)
    with w.dbfs.open("/tmp/big.bin", read=True) as back:
        assert back.read() == payload


def test_dbfs_lists_copies_and_moves_folders(w: WorkspaceClient) -> None:
    for name in ("01", "a/02", "a/b/03"):
        w.dbfs.upload(f"/tmp/tree/{name}", io.BytesIO(name.encode()), overwrite=True)
    assert [f.path for f in w.dbfs.list("/tmp/tree")] == ["/tmp/tree/01", "/tmp/tree/a"]
    assert [f.path for f in w.dbfs.list("/tmp/tree", recursive=True)] == [
        "/tmp/tree/01",
        "/tmp/tree/a/02",
        "/tmp/tree/a/b/03",
    ]
    w.dbfs.copy("/tmp/tree", "/tmp/copy", recursive=True, overwrite=True)
    assert len(list(w.dbfs.list("/tmp/copy", recursive=True))) == 3
    w.dbfs.move_("/tmp/copy/01", "/tmp/copy/moved")
    assert w.dbfs.exists("/tmp/copy/01") is False
    assert w.dbfs.download("/tmp/copy/moved").read() == b"01"


def test_dbfs_refuses_to_overwrite_without_the_flag(w: WorkspaceClient) -> None:
    w.dbfs.upload("/tmp/once", io.BytesIO(b"x"), overwrite=True)
    with pytest.raises(ResourceAlreadyExists, match="already exists"):
        w.dbfs.copy("/tmp/once", "/tmp/once")


def test_dbfs_delete_of_a_full_folder_needs_recursive(w: WorkspaceClient) -> None:
    w.dbfs.upload("/tmp/full/f", io.BytesIO(b"x"), overwrite=True)
    with pytest.raises(IOError):
        w.dbutils.fs.rm("/tmp/full")
    w.dbutils.fs.rm("/tmp/full", recurse=True)
    assert w.dbfs.exists("/tmp/full") is False


@pytest.mark.parametrize("new_client", [False, True], ids=["files-api", "files-ext"])
def test_volume_files_upload_download_metadata_and_listing(
    w: WorkspaceClient, volume: str, new_client: bool
) -> None:
    files = FilesExt(w.api_client, w.config) if new_client else w.files
    target = f"{volume}/in-{int(new_client)}/name with ?-and-#.txt"
    files.upload(target, io.BytesIO(b"some text data"))
    with files.download(target).contents as body:
        assert body.read() == b"some text data"
    meta = files.get_metadata(target)
    assert (meta.content_length, meta.content_type) == (14, "application/octet-stream")
    assert meta.last_modified is not None
    listed = list(files.list_directory_contents(f"{volume}/in-{int(new_client)}"))
    assert [entry.name for entry in listed] == ["name with ?-and-#.txt"]
    files.delete(target)
    with pytest.raises(NotFound):
        files.get_metadata(target)


def test_volume_directories_and_dbutils_on_volumes(w: WorkspaceClient, volume: str) -> None:
    w.files.create_directory(f"{volume}/dir/")
    w.files.get_directory_metadata(f"{volume}/dir/")
    w.dbutils.fs.put(f"{volume}/dir/file1", "test1", True)
    assert w.dbutils.fs.head(f"{volume}/dir/file1") == "test1"
    assert [f.path for f in w.dbutils.fs.ls(f"{volume}/dir")] == [f"{volume}/dir/file1"]
    w.dbutils.fs.rm(f"{volume}/dir", recurse=True)
    with pytest.raises(NotFound):
        w.files.get_directory_metadata(f"{volume}/dir/")


def test_volume_files_need_volume_privileges(
    emulator: EmulatedWorkspace, w: WorkspaceClient, volume: str
) -> None:
    w.files.upload(f"{volume}/secret.txt", io.BytesIO(b"x"))
    eve = emulator.add_principal("eve-files@example.com")
    with pytest.raises(PermissionDenied):
        emulator.client(eve["token"]).files.download(f"{volume}/secret.txt")


def test_a_missing_volume_is_not_found(w: WorkspaceClient) -> None:
    with pytest.raises(NotFound):
        w.files.upload("/Volumes/main/default/nowhere/x.txt", io.BytesIO(b"x"))


def test_workspace_notebooks_and_files_round_trip(w: WorkspaceClient) -> None:
    home = f"/Users/{w.current_user.me().user_name}"
    w.workspace.mkdirs(f"{home}/nb/sub")
    w.workspace.upload(f"{home}/nb/notebook.py", io.BytesIO(b"print(1)"))
    assert w.workspace.download(f"{home}/nb/notebook.py").read() == (
        b"# Databricks notebook source\nprint(1)"
    )
    w.workspace.upload(
        f"{home}/nb/sub/bare",
        io.BytesIO(b"print(2)"),
        format=ImportFormat.SOURCE,
        language=Language.PYTHON,
    )
    w.workspace.upload(f"{home}/nb/file.py", io.BytesIO(b"print(3)"), format=ImportFormat.AUTO)
    assert w.workspace.download(f"{home}/nb/file.py").read() == b"print(3)"
    names = sorted(i.path for i in w.workspace.list(f"{home}/nb", recursive=True))
    assert names == [f"{home}/nb/file.py", f"{home}/nb/notebook.py", f"{home}/nb/sub/bare"]
    w.workspace.delete(f"{home}/nb", recursive=True)


def test_import_file_route_of_the_cli_stores_a_workspace_file(
    emulator: EmulatedWorkspace, w: WorkspaceClient
) -> None:
    home = f"/Users/{w.current_user.me().user_name}"
    answer = requests.post(
        f"{emulator.host}/api/2.0/workspace-files/import-file{home}/cli.txt",
        params={"overwrite": "true"},
        data=b"from the cli",
        headers={"Authorization": f"Bearer {emulator.admin_token}"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    assert w.workspace.get_status(f"{home}/cli.txt").object_type.value == "FILE"
    assert w.workspace.download(f"{home}/cli.txt").read() == b"from the cli"
