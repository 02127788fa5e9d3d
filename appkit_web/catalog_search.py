"""Searching Unity Catalog by words: names, comments, column names and comments, and tags.

A query is split into words; an object matches when every word appears
(case-insensitively) in one of its texts: its name, its comment, a column's
name or comment, a tag's name or value. A query with glob characters (``*``,
``?``, ``[``) matches names only, as a glob. Hits say which texts matched
and come best first: a match in the name ranks above one in a comment, a
column or a tag. Used by ``uc search`` and ``POST /api/uc/search``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GLOB = "*?["
_WEIGHTS = {"name": 4, "comment": 2, "column": 1, "tag": 1}


@dataclass(frozen=True)
class SearchHit:
    kind: str  # CATALOG, SCHEMA, TABLE or VIEW
    full_name: str
    comment: str | None
    matched: tuple[str, ...]
    """Where the words were found: name, comment, column, tag."""
    score: int = 0
    tags: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "full_name": self.full_name,
            "comment": self.comment,
            "matched": list(self.matched),
            "tags": dict(self.tags),
        }


def _texts(item: Mapping[str, Any], tags: Mapping[str, str]) -> list[tuple[str, str]]:
    texts = [("name", str(item.get("name") or "")), ("comment", str(item.get("comment") or ""))]
    for column in item.get("columns") or []:
        texts.append(("column", str(column.get("name") or "")))
        texts.append(("column", str(column.get("comment") or "")))
    for key, value in tags.items():
        texts.append(("tag", str(key)))
        texts.append(("tag", str(value)))
    return [(where, text.lower()) for where, text in texts if text]


def match(
    query: str, kind: str, item: Mapping[str, Any], tags: Mapping[str, str] | None = None
) -> SearchHit | None:
    """The hit ``item`` (a catalog, schema or table JSON object) is for ``query``, or None."""
    tags = dict(tags or item.get("tags") or {})
    full_name = str(item.get("full_name") or item.get("name") or "")
    comment = item.get("comment")
    if any(ch in query for ch in GLOB):
        name = str(item.get("name") or "")
        if fnmatch.fnmatchcase(name.lower(), query.lower()):
            return SearchHit(kind, full_name, comment, ("name",), _WEIGHTS["name"], tags)
        return None
    words = [w for w in query.lower().split() if w]
    if not words:
        return None
    texts = _texts(item, tags)
    matched: list[str] = []
    for word in words:
        places = [where for where, text in texts if word in text]
        if not places:
            return None
        matched.extend(places)
    where = tuple(dict.fromkeys(matched))
    return SearchHit(kind, full_name, comment, where, sum(_WEIGHTS[w] for w in where), tags)


def ranked(hits: Iterable[SearchHit], max_results: int) -> list[SearchHit]:
    """Best first (score, then name), at most ``max_results``."""
    return sorted(hits, key=lambda h: (-h.score, h.full_name))[:max_results]


def table_kind(item: Mapping[str, Any]) -> str:
    kind = item.get("table_type")
    text = str(getattr(kind, "value", kind) or "").upper()
    return "VIEW" if text in ("VIEW", "MATERIALIZED_VIEW") else "TABLE"
