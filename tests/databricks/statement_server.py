"""A scripted Statement Execution endpoint for the client tests."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .conftest import FakeServer

BASE = "/api/2.0/sql/statements"


def column(name: str, type_name: str, type_text: str | None = None, position: int = 0) -> dict:
    return {
        "name": name,
        "type_name": type_name,
        "type_text": type_text or type_name,
        "position": position,
    }


@dataclass
class StatementScript:
    """Serves one statement: submit answer, a list of poll states, chunks, cancel."""

    server: FakeServer
    columns: list[dict]
    chunks: list[list[list[str | None]]] = field(default_factory=lambda: [[]])
    submit_state: str = "SUCCEEDED"
    poll_states: list[str] = field(default_factory=list)
    final: dict[str, Any] | None = None  # a terminal status to end on instead of SUCCEEDED
    external: bool = False
    announce_total: bool = True
    truncated: bool = False
    statement_id: str = "01ee-test-0001"
    submitted: list[dict] = field(default_factory=list)
    cancelled: int = 0
    chunk_gets: list[int] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    hold_chunk: dict[int, asyncio.Event] = field(default_factory=dict)
    release_on_fetch: dict[int, asyncio.Event] = field(default_factory=dict)
    expire_once: set[int] = field(default_factory=set)  # links refused once, as if expired
    hold_poll: asyncio.Event | None = None
    poll_entered: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self) -> StatementScript:
        self.server.route("POST", BASE, self.submit)
        self.server.route("POST", f"{BASE}/", self.submit)
        self.server.route_prefix("POST", f"{BASE}/{self.statement_id}/cancel", self.cancel)
        self.server.route_prefix("GET", f"{BASE}/{self.statement_id}/result/chunks/", self.chunk)
        self.server.route("GET", f"{BASE}/{self.statement_id}", self.poll)
        self.server.route_prefix("GET", "/storage/", self.download)
        return self

    def manifest(self) -> dict:
        manifest: dict[str, Any] = {
            "format": "JSON_ARRAY",
            "schema": {"column_count": len(self.columns), "columns": self.columns},
            "total_row_count": sum(len(c) for c in self.chunks),
            "truncated": self.truncated,
        }
        if self.announce_total:
            manifest["total_chunk_count"] = len(self.chunks)
            manifest["chunks"] = [
                {"chunk_index": i, "row_count": len(c)} for i, c in enumerate(self.chunks)
            ]
        return manifest

    def result(self, index: int) -> dict:
        data: dict[str, Any] = {"chunk_index": index, "row_count": len(self.chunks[index])}
        following = index + 1 if index + 1 < len(self.chunks) else None
        if self.external:
            link: dict[str, Any] = {
                "external_link": f"{self.server.url}/storage/{index}?sig=abc",
                "http_headers": {"x-ms-blob-type": "BlockBlob"},
                "chunk_index": index,
                "expiration": "2030-01-01T00:00:00.000Z",
            }
            if following is not None:
                link["next_chunk_index"] = following
                link["next_chunk_internal_link"] = (
                    f"{BASE}/{self.statement_id}/result/chunks/{following}"
                )
            data["external_links"] = [link]
        else:
            data["data_array"] = self.chunks[index]
            if following is not None:
                data["next_chunk_index"] = following
                data["next_chunk_internal_link"] = (
                    f"{BASE}/{self.statement_id}/result/chunks/{following}"
                )
        return data

    def response(self, state: str) -> dict:
        body: dict[str, Any] = {"statement_id": self.statement_id, "status": {"state": state}}
        if state == "SUCCEEDED":
            body["manifest"] = self.manifest()
            body["result"] = self.result(0)
        return body

    def terminal(self) -> dict:
        if self.final is not None:
            return {"statement_id": self.statement_id, "status": self.final}
        return self.response("SUCCEEDED")

    async def submit(self, request: web.Request) -> web.Response:
        self.submitted.append(await request.json())
        if self.submit_state == "SUCCEEDED":
            return web.json_response(self.terminal())
        return web.json_response(self.response(self.submit_state))

    async def poll(self, request: web.Request) -> web.Response:
        self.poll_entered.set()
        if self.hold_poll is not None:
            await self.hold_poll.wait()
        if self.poll_states:
            return web.json_response(self.response(self.poll_states.pop(0)))
        return web.json_response(self.terminal())

    async def cancel(self, request: web.Request) -> web.Response:
        self.cancelled += 1
        return web.Response(status=200)

    async def chunk(self, request: web.Request) -> web.Response:
        index = int(request.path.rsplit("/", 1)[1])
        self.chunk_gets.append(index)
        if index in self.release_on_fetch:
            self.release_on_fetch[index].set()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if index in self.hold_chunk:
                await self.hold_chunk[index].wait()
            return web.json_response(self.result(index))
        finally:
            self.in_flight -= 1

    async def download(self, request: web.Request) -> web.Response:
        index = int(request.path.rsplit("/", 1)[1])
        if index in self.expire_once:
            self.expire_once.discard(index)
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>")
        return web.Response(body=json.dumps(self.chunks[index]).encode())
