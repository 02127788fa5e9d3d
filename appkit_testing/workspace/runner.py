"""Run the emulated workspace on a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web

from appkit_testing.workspace.control.faults import FaultPlan
from appkit_testing.workspace.identity.backend import PrincipalSpec
from appkit_testing.workspace.server import build_app
from appkit_testing.workspace.state import Workspace


class EmulatedWorkspace:
    """A running emulated workspace: ``host``, ``admin_token``, ``warehouse_id``.

    Use as a context manager or call :meth:`stop`. The server listens on
    ``127.0.0.1``; ``port=0`` picks a free port.
    """

    def __init__(self, workspace: Workspace, *, port: int = 0, bind: str = "127.0.0.1") -> None:
        self.workspace = workspace
        self._bind = bind
        self._requested_port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_token(self) -> str:
        return self.workspace.admin_token

    @property
    def warehouse_id(self) -> str:
        return self.workspace.warehouse_id

    def start(self) -> EmulatedWorkspace:
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as error:
                failure.append(error)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_site())
            loop.close()

        self._thread = threading.Thread(target=serve, name="emulated-workspace", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            raise failure[0]
        return self

    async def _start_site(self) -> None:
        self._runner = web.AppRunner(build_app(self.workspace), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._bind, self._requested_port)
        await site.start()
        address = self._runner.addresses[0]
        self.port = int(address[1])

    async def _stop_site(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self.workspace.close()

    def reset(self) -> None:
        self.workspace.reset()

    def add_principal(
        self,
        name: str,
        *,
        kind: str = "user",
        groups: Iterable[str] = (),
        token: str | None = None,
        client_secret: str | None = None,
    ) -> dict[str, Any]:
        """Add a user or service principal; returns ``token`` (and ``client_id``/``client_secret``)."""
        spec = PrincipalSpec(
            name,
            "service_principal" if kind == "service_principal" else "user",
            tuple(groups),
            "",
            token,
            client_secret,
        )
        issued = self.workspace.identity.add(spec)
        identity = self.workspace.identity.by_name(name)
        assert identity is not None
        out: dict[str, Any] = {"name": name, "id": identity.id, "token": issued}
        if identity.kind == "service_principal":
            out.update(client_id=identity.name, client_secret=identity.client_secret)
        return out

    def set_faults(self, plan: FaultPlan | Mapping[str, Any]) -> FaultPlan:
        """Install a fault plan (a :class:`FaultPlan` or its JSON form)."""
        if not isinstance(plan, FaultPlan):
            plan = FaultPlan.from_json(plan)
        self.workspace.faults.configure(plan)
        return plan

    def client(self, token: str | None = None) -> Any:
        """A ``databricks.sdk.WorkspaceClient`` for ``token`` (default: the admin), PAT auth."""
        from databricks.sdk import WorkspaceClient

        return WorkspaceClient(host=self.host, token=token or self.admin_token, auth_type="pat")

    def sql(self, statement: str, *, principal: str | None = None) -> Any:
        """Run SQL directly on the engine (setup in tests), bypassing HTTP and privileges."""
        return self.workspace.engine.execute(
            statement, None, principal=principal or self.workspace.admin_name
        )

    def __enter__(self) -> EmulatedWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(
    port: int = 0,
    *,
    data_dir: Path | str | None = None,
    principals: Iterable[PrincipalSpec] = (),
    admin_token: str | None = None,
    faults: FaultPlan | None = None,
    **options: Any,
) -> EmulatedWorkspace:
    """Start an emulated workspace on a daemon thread and return it, already listening."""
    workspace = Workspace(
        data_dir=Path(data_dir) if data_dir is not None else None,
        principals=principals,
        admin_token=admin_token,
        faults=faults,
        **options,
    )
    return EmulatedWorkspace(workspace, port=port).start()
