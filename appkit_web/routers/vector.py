"""``/api/vector``: vector search endpoints and indexes, and similarity search, as the user.

Vector search has an on-behalf-of scope (``vector-search``): every call runs
with the caller's token. An app may scope results by identity: for an index
named in its :class:`~appkit_web.platform.vector_scope.VectorScope`, the
search adds a filter that keeps only rows whose configured column holds the
caller's email or one of their groups, and a client filter on that column is
refused rather than merged. Audit keeps the index and the query's hash,
never the vector or the text.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field, model_validator

from appkit_adapters.platform.calls import ExecutesAs
from appkit_web.deps import provided
from appkit_web.platform.gate import PlatformCall
from appkit_web.platform.routes import ERRORS, Platform, platform
from appkit_web.platform.vector_scope import VectorScope
from appkit_web.schemas.common import Input, ItemList

router = APIRouter(prefix="/vector", tags=["vector search"])
USER = ExecutesAs.USER


class SearchIn(Input):
    index: str = Field(..., min_length=5, max_length=767, examples=["main.docs.chunks_index"])
    columns: list[str] = Field(..., min_length=1, max_length=100, examples=[["id", "text"]])
    query_vector: list[float] | None = Field(None, min_length=1, max_length=8192)
    query_text: str | None = Field(None, min_length=1, max_length=10_000)
    filters: dict[str, Any] = Field(default_factory=dict, max_length=50)
    num_results: int = Field(10, ge=1, le=1000)

    @model_validator(mode="after")
    def _one_query(self) -> SearchIn:
        if (self.query_vector is None) == (self.query_text is None):
            raise ValueError("give exactly one of query_vector or query_text")
        return self


@router.get("/endpoints", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_endpoints(p: Platform = Depends(platform)) -> ItemList[dict[str, Any]]:
    call = PlatformCall("vector.list_endpoints", "vector-endpoints", USER)
    found = await p.gate.call(p.context, call, lambda c: c.vector.list_endpoints())
    return ItemList(items=found)


@router.get("/indexes", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def list_indexes(
    endpoint: str = Query(..., min_length=1, max_length=50), p: Platform = Depends(platform)
) -> ItemList[dict[str, Any]]:
    call = PlatformCall("vector.list_indexes", f"vector-endpoint:{endpoint}", USER,
                        {"endpoint": endpoint})  # fmt: skip
    found = await p.gate.call(p.context, call, lambda c: c.vector.list_indexes(endpoint))
    return ItemList(items=found)


@router.post("/search", response_model=ItemList[dict[str, Any]], responses=ERRORS)
async def search(
    body: SearchIn,
    p: Platform = Depends(platform),
    scope: VectorScope = Depends(provided("vector_scope")),
) -> ItemList[dict[str, Any]]:
    """The rows most similar to the query, best first, each with its ``score``."""
    assert p.context.principal is not None
    filters = scope.filters_for(body.index, p.context.principal, body.filters)
    call = PlatformCall(
        "vector.search",
        f"vector-index:{body.index}",
        USER,
        body.model_dump(),
        {"num_results": body.num_results, "scoped": body.index in scope.columns},
    )
    rows = await p.gate.call(
        p.context,
        call,
        lambda c: c.vector.query(
            body.index,
            columns=body.columns,
            vector=body.query_vector,
            text=body.query_text,
            filters=filters,
            num_results=body.num_results,
        ),
        describe=lambda found: {"rows": len(found)},
    )
    return ItemList(items=rows)
