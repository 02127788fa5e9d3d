"""The governance console: server-rendered pages for makers, checkers and auditors at ``/console``.

The pages call the same domain services as the API routers, through the
app's container, with the identity the identity middleware resolved. Every
asset ships in the package (templates and static files): nothing loads from a
CDN. ``create_app(..., console=False)`` leaves it out.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import RedirectResponse

from appkit_web.console import audit_trail, exceptions, propose, requests, sign_in

PREFIX = "/console"


def console_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("")
    async def start() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/inbox", status_code=303)

    for module in (requests, propose, audit_trail, exceptions, sign_in):
        router.include_router(module.router)
    return router


def install_console(app: FastAPI) -> None:
    """Serve the console and its packaged static files on ``app``."""
    static = resources.files("appkit_web.console").joinpath("static")
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(static)), name="console-static")
    app.include_router(console_router())
