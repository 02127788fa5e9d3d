"""ARROW_STREAM results: each JSON chunk re-encoded as one Arrow IPC stream.

Rows are cut into chunks once (by the JSON_ARRAY rules, so row and byte limits mean
the same in every format); for ``ARROW_STREAM`` each chunk's wire values are then
cast to the column's Arrow type and written as an IPC stream, LZ4-frame compressed
when the client asked for ``result_compression: LZ4_FRAME``. ARRAY, MAP, STRUCT and
INTERVAL columns travel as their JSON/text form (a ``string`` column). Needs
``pyarrow`` (and ``lz4`` for compression); without them the format is refused.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from typing import Any

from appkit_adapters.sql.warehouse import ColumnInfo
from appkit_testing.workspace.errors import invalid_parameter
from appkit_testing.workspace.statements.chunks import ChunkStore

_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$", re.I)


def available(compression: str | None) -> None:
    """Refuse ARROW_STREAM (or its compression) when the libraries are missing."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise invalid_parameter(
            "ARROW_STREAM needs pyarrow installed beside the emulator."
        ) from None
    if compression == "LZ4_FRAME":
        try:
            import lz4.frame  # noqa: F401
        except ImportError:
            raise invalid_parameter("LZ4_FRAME compression needs lz4 installed.") from None


def _arrow_type(column: ColumnInfo) -> Any:
    import pyarrow as pa

    text = column.type_text.upper()
    simple = {
        "BOOLEAN": pa.bool_(),
        "TINYINT": pa.int8(),
        "SMALLINT": pa.int16(),
        "INT": pa.int32(),
        "BIGINT": pa.int64(),
        "FLOAT": pa.float32(),
        "DOUBLE": pa.float64(),
        "STRING": pa.string(),
        "BINARY": pa.binary(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us", tz="UTC"),
        "TIMESTAMP_NTZ": pa.timestamp("us"),
        "VOID": pa.null(),
    }
    if text in simple:
        return simple[text]
    decimal = _DECIMAL.match(text)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    return pa.string()


def _column(values: list[str | None], column: ColumnInfo) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = _arrow_type(column)
    if pa.types.is_binary(wanted):
        return pa.array(
            [None if v is None else base64.b64decode(v) for v in values], type=pa.binary()
        )
    if pa.types.is_null(wanted):
        return pa.nulls(len(values))
    text = pa.array(values, type=pa.string())
    if pa.types.is_string(wanted):
        return text
    if pa.types.is_boolean(wanted):
        return pc.equal(text, "true")
    if pa.types.is_timestamp(wanted):
        stamps = pc.replace_substring_regex(text, "Z$", "")
        return pc.cast(stamps, pa.timestamp("us")).cast(wanted)
    if pa.types.is_floating(wanted):
        return pa.array([None if v is None else float(v) for v in values], type=wanted)
    return pc.cast(text, wanted)


def transcode(
    store: ChunkStore, columns: Sequence[ColumnInfo], compression: str | None, spill: str | None
) -> ChunkStore:
    """A new store holding ``store``'s JSON chunks as Arrow IPC streams (``store`` is closed)."""
    import pyarrow as pa

    schema = pa.schema([pa.field(c.name, _arrow_type(c)) for c in columns])
    arrow = ChunkStore(spill)
    try:
        for index, info in enumerate(store.chunks):
            rows: list[list[str | None]] = json.loads(store.read(index))
            arrays = [_column([row[i] for row in rows], c) for i, c in enumerate(columns)]
            batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, schema) as writer:
                writer.write_batch(batch)
            data = sink.getvalue().to_pybytes()
            if compression == "LZ4_FRAME":
                import lz4.frame

                data = lz4.frame.compress(data)
            arrow.append(data, info.row_count)
    except BaseException:
        arrow.close()
        raise
    finally:
        store.close()
    return arrow
