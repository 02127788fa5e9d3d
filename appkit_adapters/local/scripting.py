"""SQL scripting on the local engine: compound statements as the governance stores send them.

The subset is what Databricks documents for ``BEGIN ATOMIC ... END``
(an atomic compound statement: every statement succeeds together or the
whole block is rolled back) and for plain ``BEGIN ... END`` (statements run
one after another, nothing rolled back):

- SQL statements: queries, ``INSERT``, ``UPDATE``, ``DELETE`` and ``MERGE``;
- ``IF condition THEN statements END IF`` (nested too);
- ``SIGNAL SQLSTATE [VALUE] 'xxxxx' [SET MESSAGE_TEXT = '...']``, which fails
  the block with ``USER_RAISED_EXCEPTION`` and that SQLSTATE.

Anything else a script can hold (``DECLARE``, ``SET``, loops, ``ELSE``,
``CASE`` statements, handlers, labels) is refused by name with
``UNSUPPORTED_FEATURE``: a script the engine cannot run faithfully never runs
in part. This module only parses; the engine runs the parsed script inside
one DuckDB transaction for ``ATOMIC``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appkit_adapters.local.commands import strip_comments
from appkit_adapters.local.errors import syntax_error, unsupported


@dataclass(frozen=True)
class Signal:
    """``SIGNAL SQLSTATE``: fail the block with this state and message."""

    sql_state: str
    message: str


@dataclass(frozen=True)
class IfThen:
    """``IF condition THEN body END IF``; ``condition`` is a SQL boolean expression."""

    condition: str
    body: tuple[Node, ...]


Node = str | Signal | IfThen
"""A statement of a script: plain SQL text, a signal, or a conditional block."""


@dataclass(frozen=True)
class Script:
    """A parsed compound statement; ``atomic`` for ``BEGIN ATOMIC``."""

    atomic: bool
    body: tuple[Node, ...]

    def statements(self) -> list[str]:
        """Every SQL statement the script may run, conditions included (``SELECT ...``)."""
        found: list[str] = []

        def walk(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                if isinstance(node, str):
                    found.append(node)
                elif isinstance(node, IfThen):
                    found.append(condition_query(node.condition))
                    walk(node.body)

        walk(self.body)
        return found


_BEGIN = re.compile(r"BEGIN(\s+ATOMIC)?\b", re.I)
_INTERACTIVE = re.compile(r"BEGIN\s+(TRANSACTION|WORK)\b|BEGIN\s*;?\s*$", re.I)
_SIGNAL = re.compile(
    r"SIGNAL\s+SQLSTATE\s+(?:VALUE\s+)?'([A-Za-z0-9]{5})'"
    r"(?:\s+SET\s+MESSAGE_TEXT\s*=\s*'((?:[^'\\]|''|\\.)*)')?",
    re.I | re.S,
)
_REFUSED_HEADS = {
    "DECLARE": "DECLARE in a compound statement",
    "SET": "SET in a compound statement",
    "WHILE": "WHILE loops",
    "REPEAT": "REPEAT loops",
    "LOOP": "LOOP statements",
    "FOR": "FOR loops",
    "CASE": "CASE statements",
    "LEAVE": "LEAVE",
    "ITERATE": "ITERATE",
    "RESIGNAL": "RESIGNAL",
    "GET": "GET DIAGNOSTICS",
    "ELSE": "ELSE branches",
    "ELSEIF": "ELSEIF branches",
    "BEGIN": "nested compound statements",
}


def is_script(statement: str) -> bool:
    """Whether ``statement`` is a compound statement (``BEGIN [ATOMIC] ... END``)."""
    text = strip_comments(statement)
    if _INTERACTIVE.match(text):
        return False
    return _BEGIN.match(text) is not None and re.search(r"\bEND\s*$", text, re.I) is not None


def refuse_interactive(statement: str) -> None:
    """Interactive transactions (``BEGIN TRANSACTION ... COMMIT``) are refused by name."""
    text = strip_comments(statement)
    if _INTERACTIVE.match(text) or re.fullmatch(r"(COMMIT|ROLLBACK)(\s+WORK)?", text, re.I):
        raise unsupported(
            "interactive transactions (BEGIN TRANSACTION ... COMMIT); use BEGIN ATOMIC ... END"
        )


def split_statements(text: str) -> list[str]:
    """``text`` cut at every ``;`` outside quotes, backticks, comments and parentheses."""
    pieces: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in "'\"`":
            i = _closing(text, i, char)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise syntax_error("unterminated comment in a compound statement")
            i = end + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ";" and depth == 0:
            pieces.append(text[start:i].strip())
            start = i + 1
        i += 1
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return [piece for piece in pieces if piece]


def _closing(text: str, start: int, quote: str) -> int:
    """The index of the quote closing the one at ``start`` (doubled quotes and, for
    string literals, backslash escapes included)."""
    i = start + 1
    while i < len(text):
        if quote != "`" and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                i += 2
                continue
            return i
        i += 1
    raise syntax_error("unterminated quoted text in a compound statement")


def _then_position(piece: str) -> int:
    """Where the ``THEN`` ending an IF condition starts (top level, outside CASE ... END)."""
    depth = cases = 0
    i = 0
    while i < len(piece):
        char = piece[i]
        if char in "'\"`":
            i = _closing(piece, i, char) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and (i == 0 or not (piece[i - 1].isalnum() or piece[i - 1] == "_")):
            word = re.match(r"[A-Za-z_]+", piece[i:])
            if word:
                keyword = word.group(0).upper()
                if keyword == "CASE":
                    cases += 1
                elif keyword == "END" and cases:
                    cases -= 1
                elif keyword == "THEN" and not cases:
                    return i
                i += len(keyword)
                continue
        i += 1
    raise syntax_error("IF needs THEN after its condition")


def parse_script(statement: str) -> Script:
    """Parse a compound statement of the subset in the module docstring."""
    text = strip_comments(statement)
    begin = _BEGIN.match(text)
    if begin is None:
        raise syntax_error("a compound statement starts with BEGIN")
    atomic = begin.group(1) is not None
    pieces = split_statements(text[begin.end() :])
    if not pieces or pieces[-1].upper() != "END":
        raise syntax_error("a compound statement ends with END")
    body, rest = _nodes(pieces[:-1], closing=None)
    assert not rest
    return Script(atomic, tuple(body))


def _nodes(pieces: list[str], closing: str | None) -> tuple[list[Node], list[str]]:
    """Nodes up to the piece ``closing`` (``END IF``); returns them and what follows it."""
    nodes: list[Node] = []
    remaining = list(pieces)
    while remaining:
        piece = remaining.pop(0)
        head = re.sub(r"\s+", " ", piece).upper()
        if closing is not None and head == closing:
            return nodes, remaining
        if head == "END IF":
            raise syntax_error("END IF without IF")
        first = head.split(" ", 1)[0]
        if first == "IF":
            at = _then_position(piece)
            condition = piece[2:at].strip()
            if not condition:
                raise syntax_error("IF needs a condition")
            after = piece[at + 4 :].strip()
            inner = [after, *remaining] if after else remaining
            body, remaining = _nodes(inner, closing="END IF")
            nodes.append(IfThen(condition, tuple(body)))
            continue
        if first == "SIGNAL":
            found = _SIGNAL.fullmatch(piece.strip())
            if found is None:
                raise unsupported(
                    "SIGNAL other than SIGNAL SQLSTATE '...' SET MESSAGE_TEXT = '...'"
                )
            message = (found.group(2) or "").replace("''", "'")
            nodes.append(Signal(found.group(1).upper(), message))
            continue
        if first in _REFUSED_HEADS or re.match(r"^[A-Za-z_]\w*\s*:", piece):
            raise unsupported(_REFUSED_HEADS.get(first, "labels in a compound statement"))
        nodes.append(piece)
    if closing is not None:
        raise syntax_error(f"{closing} is missing")
    return nodes, remaining


def condition_query(condition: str) -> str:
    """The query the engine runs to evaluate an IF condition (one row, 1 or 0)."""
    return f"SELECT CASE WHEN ({condition}) THEN 1 ELSE 0 END AS `holds`"
