"""The model's answer as files: exactly two fenced Python blocks, the module then its test.

The scaffolder, not the model, decides where each block goes, so an answer
can never write outside the two paths it was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK = re.compile(r"```(?:python|py)?[^\n]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative to the project, e.g. "routers/user_api.py"
    text: str
    is_test: bool = False


def code_blocks(answer: str) -> list[str]:
    """The contents of every fenced code block, in order."""
    return [match.group(1).strip("\n") + "\n" for match in _BLOCK.finditer(answer)]


def files_from_answer(answer: str, module_path: str, test_path: str) -> list[GeneratedFile]:
    """The module and its test; fewer or more than two blocks yields what was found, so the
    parse guardrail can say what is wrong."""
    blocks = code_blocks(answer)
    files = []
    if blocks:
        files.append(GeneratedFile(module_path, blocks[0]))
    if len(blocks) > 1:
        files.append(GeneratedFile(test_path, blocks[1], is_test=True))
    return files
