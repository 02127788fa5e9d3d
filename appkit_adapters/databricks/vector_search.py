"""Vector search over REST: endpoints, the indexes on an endpoint, similarity queries.

A query names the columns to return and either a vector or a text (for an
index that embeds text itself), optional ``filters`` in the standard
endpoint syntax (``{"col": v}``, ``{"col": [v1, v2]}``, ``{"col NOT": v}``,
``{"col <": v}``, ...) and how many results. Rows come back as objects with
their ``score``, best first. Queries change nothing and are retried like
reads. With an on-behalf-of ``http`` they run with the user's permissions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from databricks.sdk.service.vectorsearch import EndpointInfo, MiniVectorIndex

from appkit_adapters.databricks.http import DatabricksHttp, QueryValue
from appkit_domain.errors import InvalidInput, Unavailable
from appkit_domain.identifiers import TableName

VECTOR = "/api/2.0/vector-search"
MAX_RESULTS = 1000


def check_index_name(name: str) -> str:
    """An index is named like a table: ``catalog.schema.index``."""
    return TableName.parse(name).full_name


class VectorSearch:
    """Vector search as one identity (``http``'s)."""

    def __init__(self, http: DatabricksHttp) -> None:
        self.http = http

    async def _pages(self, path: str, key: str, params: dict[str, QueryValue]) -> list[Any]:
        found: list[Any] = []
        seen: set[str] = set()
        while True:
            body = await self.http.get(path, params)
            found += body.get(key) or []
            token = body.get("next_page_token")
            if not token:
                return found
            if token in seen:
                raise Unavailable(f"paging {path} did not advance", details={"operation": path})
            seen.add(token)
            params["page_token"] = token

    async def list_endpoints(self) -> list[dict[str, Any]]:
        items = await self._pages(f"{VECTOR}/endpoints", "endpoints", {})
        return [EndpointInfo.from_dict(item).as_dict() for item in items]

    async def list_indexes(self, endpoint: str) -> list[dict[str, Any]]:
        if not endpoint or len(endpoint) > 50:
            raise InvalidInput("an endpoint name is 1 to 50 characters")
        items = await self._pages(f"{VECTOR}/indexes", "vector_indexes",
                                  {"endpoint_name": endpoint})  # fmt: skip
        return [MiniVectorIndex.from_dict(item).as_dict() for item in items]

    async def query(
        self,
        index: str,
        *,
        columns: Sequence[str],
        vector: Sequence[float] | None = None,
        text: str | None = None,
        filters: Mapping[str, Any] | None = None,
        num_results: int = 10,
    ) -> list[dict[str, Any]]:
        """The ``num_results`` rows most similar to ``vector`` (or ``text``), with ``score``."""
        if (vector is None) == (text is None):
            raise InvalidInput("give exactly one of a query vector or a query text")
        if not columns:
            raise InvalidInput("name at least one column to return")
        if not 1 <= num_results <= MAX_RESULTS:
            raise InvalidInput(f"num_results must be between 1 and {MAX_RESULTS}")
        request: dict[str, Any] = {"columns": list(columns), "num_results": num_results}
        if vector is not None:
            if not vector or not all(
                isinstance(v, (int, float)) and math.isfinite(v) for v in vector
            ):
                raise InvalidInput("a query vector is a non-empty list of finite numbers")
            request["query_vector"] = [float(v) for v in vector]
        else:
            request["query_text"] = text
        if filters:
            request["filters_json"] = json.dumps(dict(filters))
        path = f"{VECTOR}/indexes/{check_index_name(index)}/query"
        body = await self.http.request_json("POST", path, body=request, idempotent=True)
        names = [c.get("name") for c in (body.get("manifest") or {}).get("columns") or []]
        rows = (body.get("result") or {}).get("data_array") or []
        return [dict(zip(names, row)) for row in rows]
