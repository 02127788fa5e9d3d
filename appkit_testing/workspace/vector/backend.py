"""Vector search endpoints and indexes; pure state with ``reset()`` (rows live in memory).

Two index types, as on Databricks:

* **Direct Access**: rows arrive through ``upsert-data`` and leave through
  ``delete-data``; each has a primary key and a vector column of the
  declared dimension.
* **Delta Sync**: rows come from a table of the emulator's local engine,
  read at creation and again on every ``sync``. The vector is either a
  column of the table (``embedding_vector_columns``) or computed from a text
  column by a serving endpoint (``embedding_source_columns``), which then also
  embeds a query's ``query_text``.

Querying needs a ready index and the endpoint it lives on; search itself is
in :mod:`.search`. Index names are three-part Unity Catalog names.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName
from appkit_testing.workspace.errors import (
    already_exists,
    bad_request,
    invalid_parameter,
    resource_missing,
)
from appkit_testing.workspace.vector import search

Embedder = Callable[[str, list[str]], list[list[float]]]
"""``(serving endpoint name, texts) -> vectors``: the emulator's serving endpoints."""
TableReader = Callable[[TableName], list[dict[str, Any]]]


@dataclass
class VectorEndpoint:
    id: str
    name: str
    creator: str
    created: int

    def to_json(self, indexes: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "endpoint_type": "STANDARD",
            "creator": self.creator,
            "creation_timestamp": self.created,
            "last_updated_timestamp": self.created,
            "endpoint_status": {"state": "ONLINE"},
            "num_indexes": indexes,
        }


@dataclass
class VectorIndex:
    name: str
    endpoint: str
    primary_key: str
    index_type: str
    spec: dict[str, Any]
    creator: str
    vector_column: str
    dimension: int | None
    text_column: str | None = None
    embedding_endpoint: str | None = None
    metric: str = "L2"
    rows: dict[Any, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        key = (
            "direct_access_index_spec"
            if self.index_type == "DIRECT_ACCESS"
            else "delta_sync_index_spec"
        )
        return {
            "name": self.name,
            "endpoint_name": self.endpoint,
            "primary_key": self.primary_key,
            "index_type": self.index_type,
            key: self.spec,
            "creator": self.creator,
            "status": {
                "ready": True,
                "detailed_state": "ONLINE",
                "indexed_row_count": len(self.rows),
                "message": "Index is ready.",
            },
        }


def _vector_spec(spec: dict[str, Any]) -> tuple[str, int | None, str | None, str | None]:
    vectors = spec.get("embedding_vector_columns") or []
    sources = spec.get("embedding_source_columns") or []
    if len(vectors) + len(sources) != 1:
        raise invalid_parameter("Give exactly one embedding vector column or source column.")
    if vectors:
        column = vectors[0]
        dimension = column.get("embedding_dimension")
        if not column.get("name") or not isinstance(dimension, int) or dimension < 1:
            raise invalid_parameter("embedding_vector_columns needs a name and a dimension.")
        return str(column["name"]), dimension, None, None
    source = sources[0]
    if not source.get("name") or not source.get("embedding_model_endpoint_name"):
        raise invalid_parameter("embedding_source_columns needs a name and an endpoint.")
    return "__embedding__", None, str(source["name"]), str(source["embedding_model_endpoint_name"])


class VectorSearchBackend:
    def __init__(self, embed: Embedder, read_table: TableReader, *,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self._lock = threading.RLock()
        self._embed = embed
        self._read_table = read_table
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._endpoints: dict[str, VectorEndpoint] = {}
            self._indexes: dict[str, VectorIndex] = {}
            self._next = 1

    def create_endpoint(self, name: object, creator: str) -> VectorEndpoint:
        if not isinstance(name, str) or not name or len(name) > 50:
            raise invalid_parameter("An endpoint needs a name of at most 50 characters.")
        with self._lock:
            if name in self._endpoints:
                raise already_exists(f"Vector search endpoint {name} already exists.")
            endpoint = VectorEndpoint(f"{self._next:032x}", name, creator,
                                      int(self._clock() * 1000))  # fmt: skip
            self._next += 1
            self._endpoints[name] = endpoint
            return endpoint

    def endpoint(self, name: str) -> VectorEndpoint:
        with self._lock:
            found = self._endpoints.get(name)
        if found is None:
            raise resource_missing(f"Vector search endpoint {name} not found.")
        return found

    def endpoints(self) -> list[tuple[VectorEndpoint, int]]:
        with self._lock:
            return [(e, sum(1 for i in self._indexes.values() if i.endpoint == e.name))
                    for e in sorted(self._endpoints.values(), key=lambda e: e.name)]  # fmt: skip

    def delete_endpoint(self, name: str) -> None:
        with self._lock:
            self.endpoint(name)
            if any(i.endpoint == name for i in self._indexes.values()):
                raise bad_request(f"Endpoint {name} still has indexes; delete them first.")
            del self._endpoints[name]

    def create_index(self, body: dict[str, Any], creator: str) -> VectorIndex:
        name, endpoint_name = body.get("name"), body.get("endpoint_name")
        try:
            TableName.parse(str(name))
        except InvalidInput:
            raise invalid_parameter(
                "An index name is a three-part name catalog.schema.index."
            ) from None
        self.endpoint(str(endpoint_name))
        index_type, primary_key = body.get("index_type"), body.get("primary_key")
        if index_type not in ("DIRECT_ACCESS", "DELTA_SYNC") or not primary_key:
            raise invalid_parameter(
                "index_type (DIRECT_ACCESS or DELTA_SYNC) and primary_key are required."
            )
        key = (
            "direct_access_index_spec" if index_type == "DIRECT_ACCESS" else "delta_sync_index_spec"
        )
        spec = body.get(key)
        if not isinstance(spec, dict):
            raise invalid_parameter(f"{key} is required for a {index_type} index.")
        column, dimension, text, embedder = _vector_spec(spec)
        metric = str(body.get("similarity_metric") or "L2").upper()
        if metric not in ("L2", "COSINE"):
            raise invalid_parameter("similarity_metric must be L2 or COSINE.")
        index = VectorIndex(str(name), str(endpoint_name), str(primary_key), str(index_type),
                            dict(spec), creator, column, dimension, text, embedder, metric)  # fmt: skip
        if index_type == "DELTA_SYNC":
            try:
                index.spec["source_table"] = TableName.parse(
                    str(spec.get("source_table"))
                ).full_name
            except InvalidInput:
                raise invalid_parameter(
                    "delta_sync_index_spec.source_table must be catalog.schema.table."
                ) from None
        with self._lock:
            if index.name in self._indexes:
                raise already_exists(f"Index {index.name} already exists.")
            if index_type == "DELTA_SYNC":
                self._load(index)
            self._indexes[index.name] = index
            return index

    def index(self, name: str) -> VectorIndex:
        with self._lock:
            found = self._indexes.get(name)
        if found is None:
            raise resource_missing(f"Index {name} does not exist.")
        return found

    def indexes(self, endpoint: str) -> list[VectorIndex]:
        self.endpoint(endpoint)
        with self._lock:
            return sorted((i for i in self._indexes.values() if i.endpoint == endpoint),
                          key=lambda i: i.name)  # fmt: skip

    def delete_index(self, name: str) -> None:
        with self._lock:
            self.index(name)
            del self._indexes[name]

    def _prepare(self, index: VectorIndex, row: dict[str, Any]) -> dict[str, Any]:
        if index.primary_key not in row or row[index.primary_key] is None:
            raise bad_request(f"Every row needs its primary key {index.primary_key}.")
        prepared = dict(row)
        if index.text_column is not None:
            text = row.get(index.text_column)
            if not isinstance(text, str):
                raise bad_request(f"Column {index.text_column} must be text to be embedded.")
            prepared["__embedding__"] = self._embed(str(index.embedding_endpoint), [text])[0]
        vector = prepared.get(index.vector_column)
        if not isinstance(vector, list) or not all(isinstance(v, (int, float)) for v in vector):
            raise bad_request(f"Column {index.vector_column} must be a list of numbers.")
        if index.dimension is not None and len(vector) != index.dimension:
            raise bad_request(
                f"Vectors of {index.name} have {index.dimension} dimensions, got {len(vector)}."
            )
        prepared[index.vector_column] = [float(v) for v in vector]
        return prepared

    def _load(self, index: VectorIndex) -> None:
        rows = self._read_table(TableName.parse(index.spec["source_table"]))
        index.rows = {}
        for row in rows:
            prepared = self._prepare(index, row)
            index.rows[prepared[index.primary_key]] = prepared

    def sync(self, name: str) -> None:
        with self._lock:
            index = self.index(name)
            if index.index_type != "DELTA_SYNC":
                raise bad_request("Only Delta Sync indexes sync from a table.")
            self._load(index)

    def upsert(self, name: str, inputs_json: object) -> int:
        try:
            rows = json.loads(inputs_json) if isinstance(inputs_json, str) else inputs_json
        except ValueError:
            raise bad_request("inputs_json is not valid JSON.") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise bad_request("inputs_json must be a JSON list of objects.")
        with self._lock:
            index = self.index(name)
            if index.index_type != "DIRECT_ACCESS":
                raise bad_request("Only Direct Access indexes take upserts.")
            prepared = [self._prepare(index, row) for row in rows]
            for row in prepared:
                index.rows[row[index.primary_key]] = row
            return len(prepared)

    def delete_rows(self, name: str, keys: list[Any]) -> int:
        with self._lock:
            index = self.index(name)
            return sum(1 for key in keys if index.rows.pop(key, None) is not None)

    def query(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        index = self.index(name)
        columns = body.get("columns")
        if not isinstance(columns, list) or not columns:
            raise bad_request("columns must list the columns to return.")
        if body.get("filter_string"):
            raise bad_request("filter_string is for storage-optimized endpoints; use filters_json.")
        vector, text = body.get("query_vector"), body.get("query_text")
        if (vector is None) == (text is None):
            raise bad_request("Give exactly one of query_vector or query_text.")
        if text is not None:
            if index.embedding_endpoint is None:
                raise bad_request("This index has no embedding model: query with query_vector.")
            vector = self._embed(index.embedding_endpoint, [str(text)])[0]
        if not isinstance(vector, list) or (index.dimension and len(vector) != index.dimension):
            raise bad_request(f"query_vector must have {index.dimension} numbers.")
        limit = body.get("num_results", 10)
        if not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise bad_request("num_results must be between 1 and 10000.")
        filters = search.parse_filters(body.get("filters_json"))
        threshold = body.get("score_threshold")
        with self._lock:
            rows = list(index.rows.values())
        hits = [(search.score(index.metric, vector, r[index.vector_column]), r)
                for r in rows if search.matches(filters, r)]  # fmt: skip
        if isinstance(threshold, (int, float)):
            hits = [hit for hit in hits if hit[0] >= threshold]
        hits.sort(key=lambda hit: (-hit[0], str(hit[1][index.primary_key])))
        return search.answer(hits[:limit], [str(c) for c in columns])


def workspace_sources(workspace: Any) -> tuple[Embedder, TableReader]:
    """Embeddings from the emulator's serving endpoints; rows from its local engine."""

    def embed(endpoint: str, texts: list[str]) -> list[list[float]]:
        return workspace.serving.embed(endpoint, texts)  # type: ignore[no-any-return]

    def read(table: TableName) -> list[dict[str, Any]]:
        result = workspace.engine.execute(
            f"SELECT * FROM {table.quoted}",  # noqa: S608  (a validated, quoted name)
            None,
            principal=workspace.admin_name,
        )
        return result.dicts()  # type: ignore[no-any-return]

    return embed, read
