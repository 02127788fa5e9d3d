"""Shapes shared by every router: input base class, lists, problems."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Input(BaseModel):
    """Base of every request body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemList(BaseModel, Generic[T]):
    items: list[T]
    next_page_token: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, with the domain error's stable ``code``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://lakehouse-appkit.dev/problems/self_approval",
                    "title": "Not allowed",
                    "status": 403,
                    "detail": "the requester cannot decide their own request",
                    "code": "self_approval",
                }
            ]
        },
    )

    type: str
    title: str
    status: int
    detail: str
    code: str


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the given error statuses plus those every route can answer
    (400, 401, 422, 429), all problem+json."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({400, 401, 422, 429, *statuses}):
        out[status] = {
            "model": Problem,
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
            "description": _DESCRIPTIONS.get(status, "Error"),
        }
    return out


_DESCRIPTIONS = {
    400: "Invalid input",
    401: "No identity",
    403: "The identity may not do this",
    404: "Unknown id",
    409: "State or version conflict",
    422: "Malformed request",
    429: "Rate limited",
    503: "Upstream unavailable or breaker open",
}
