"""The built-in model family of the emulated serving endpoints: small, deterministic, explainable.

An endpoint serves one of these, named by its served entity's ``entity_name``:

* ``appkit.echo-chat`` (task ``llm/v1/chat``): answers with the last user
  message exactly (spacing and newlines kept), cut after ``max_tokens``
  words (``finish_reason`` ``length``). Token counts are
  whitespace-separated words.
* ``appkit.hashing-embeddings`` (task ``llm/v1/embeddings``): each text
  becomes a vector of ``DIMENSIONS`` (environment variable, default 16):
  every lower-cased word adds +1 or -1 (by a bit of its SHA-256) at the
  position its hash picks, and the sum is scaled to unit length. Texts
  sharing words point the same way, so similarity search means something.
* ``appkit.linear`` (a custom model): ``prediction = INTERCEPT + sum(c_i * x_i)``
  with ``COEFFICIENTS`` from the served entity's environment variables, a
  JSON list (for ``inputs``/``instances`` rows) or a JSON object keyed by
  column (for ``dataframe_records``).

Bad input is a 400 ``BAD_REQUEST`` as the real service answers it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from appkit_testing.workspace.errors import bad_request

ECHO_CHAT = "appkit.echo-chat"
HASHING_EMBEDDINGS = "appkit.hashing-embeddings"
LINEAR = "appkit.linear"
TASKS = {ECHO_CHAT: "llm/v1/chat", HASHING_EMBEDDINGS: "llm/v1/embeddings", LINEAR: None}
DEFAULT_DIMENSIONS = 16
MAX_DIMENSIONS = 4096


def words(text: str) -> list[str]:
    return text.split()


def chat(endpoint: str, body: Mapping[str, Any], created: int) -> dict[str, Any]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("messages must be a non-empty list of {role, content}.")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise bad_request(f"messages[{index}] needs a role and a string content.")
        if message.get("role") not in ("system", "user", "assistant", "tool"):
            raise bad_request(f"messages[{index}].role must be system, user or assistant.")
    users = [m["content"] for m in messages if m["role"] == "user"]
    if not users:
        raise bad_request("messages must hold at least one user message.")
    text = users[-1]
    limit = body.get("max_tokens")
    finish = "stop"
    if limit is not None:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise bad_request("max_tokens must be a positive integer.")
        spans = list(re.finditer(r"\S+", text))
        if len(spans) > limit:
            text, finish = text[: spans[limit - 1].end()], "length"
    answer = words(text)
    prompt_tokens = sum(len(words(m["content"])) for m in messages)
    digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:24]
    return {
        "id": f"chatcmpl-{digest}",
        "object": "chat.completion",
        "created": created,
        "model": endpoint,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(answer),
            "total_tokens": prompt_tokens + len(answer),
        },
    }


def chat_chunks(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The same answer as OpenAI ``chat.completion.chunk`` events, one per word."""
    choice = response["choices"][0]
    tokens = re.findall(r"\s*\S+", choice["message"]["content"])
    base = {"id": response["id"], "object": "chat.completion.chunk",
            "created": response["created"], "model": response["model"]}  # fmt: skip
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None}]}]  # fmt: skip
    for token in tokens:
        text = token
        chunks.append({**base, "choices": [{"index": 0, "delta": {"content": text},
                                            "finish_reason": None}]})  # fmt: skip
    chunks.append({**base, "choices": [{"index": 0, "delta": {},
                                        "finish_reason": choice["finish_reason"]}]})  # fmt: skip
    return chunks


def dimensions(environment: Mapping[str, str]) -> int:
    raw = environment.get("DIMENSIONS", str(DEFAULT_DIMENSIONS))
    try:
        size = int(raw)
    except ValueError:
        raise bad_request(f"DIMENSIONS must be an integer, got {raw!r}.") from None
    if not 1 <= size <= MAX_DIMENSIONS:
        raise bad_request(f"DIMENSIONS must be between 1 and {MAX_DIMENSIONS}.")
    return size


def embed_text(text: str, size: int) -> list[float]:
    vector = [0.0] * size
    for word in words(text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        position = int.from_bytes(digest[:4], "big") % size
        vector[position] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    return [round(v / norm, 6) for v in vector] if norm else vector


def embeddings(endpoint: str, body: Mapping[str, Any], size: int) -> dict[str, Any]:
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise bad_request("input must be a string or a non-empty list of strings.")
    tokens = sum(len(words(t)) for t in texts)
    return {
        "object": "list",
        "model": endpoint,
        "data": [
            {"object": "embedding", "index": i, "embedding": embed_text(t, size)}
            for i, t in enumerate(texts)
        ],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise bad_request(f"{where} must be a finite number.")
    return float(value)


def _coefficients(environment: Mapping[str, str]) -> tuple[Any, float]:
    try:
        coefficients = json.loads(environment.get("COEFFICIENTS", "[]"))
        intercept = float(environment.get("INTERCEPT", "0"))
    except ValueError:
        raise bad_request("the endpoint's COEFFICIENTS/INTERCEPT are not numbers.") from None
    return coefficients, intercept


def linear(body: Mapping[str, Any], environment: Mapping[str, str]) -> dict[str, Any]:
    coefficients, intercept = _coefficients(environment)
    records = body.get("dataframe_records")
    if records is not None:
        if not isinstance(coefficients, dict):
            raise bad_request("this model takes rows (inputs); its COEFFICIENTS are a list.")
        if not isinstance(records, list):
            raise bad_request("dataframe_records must be a list of objects.")
        out = []
        for i, record in enumerate(records):
            if not isinstance(record, dict) or set(record) != set(coefficients):
                raise bad_request(
                    f"dataframe_records[{i}] must have columns {sorted(coefficients)}."
                )
            out.append(intercept + sum(
                float(c) * _number(record[k], f"dataframe_records[{i}].{k}")
                for k, c in coefficients.items()
            ))  # fmt: skip
        return {"predictions": out}
    rows = body.get("inputs", body.get("instances"))
    if not isinstance(rows, list):
        raise bad_request("give inputs (a list of rows), instances or dataframe_records.")
    if not isinstance(coefficients, list):
        raise bad_request("this model takes dataframe_records; its COEFFICIENTS are keyed.")
    predictions = []
    for i, row in enumerate(rows):
        values: Sequence[Any] = row if isinstance(row, list) else [row]
        if len(values) != len(coefficients):
            raise bad_request(f"inputs[{i}] must have {len(coefficients)} values.")
        predictions.append(intercept + sum(
            float(c) * _number(v, f"inputs[{i}]") for c, v in zip(coefficients, values)
        ))  # fmt: skip
    return {"predictions": predictions}
