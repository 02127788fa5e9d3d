"""One scaffolding run: ask the provider, check the answer, audit it by hash, write or refuse.

Nothing is written unless every guardrail passed, and nothing is written
before the audit event (provider, model, the prompt's and the answer's
SHA-256, the guardrail results, the outcome) is durable. The prompt and the
answer themselves go only to a transcript file, and only when asked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from appkit_adapters.ai.port import AiProvider, Completion
from appkit_domain.audit import AuditLog
from appkit_domain.errors import Conflict
from appkit_web.scaffold.answer import files_from_answer
from appkit_web.scaffold.guardrails import GuardrailReport, run_guardrails
from appkit_web.scaffold.prompts import Request


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Outcome:
    report: GuardrailReport
    completion: Completion
    written: list[Path] = field(default_factory=list)
    transcript: Path | None = None

    @property
    def accepted(self) -> bool:
        return self.report.passed


async def scaffold(
    request: Request,
    provider: AiProvider,
    project: Path,
    audit: AuditLog,
    *,
    actor: str,
    overwrite: bool = False,
    keep_transcript: bool = False,
) -> Outcome:
    """Generate ``request``'s two files into ``project`` if they pass every guardrail."""
    targets = request.paths(project)
    existing = [str(path) for path in targets if path.exists()]
    if existing and not overwrite:
        raise Conflict(f"refusing to overwrite {', '.join(existing)} (pass --force to replace)")
    completion = await provider.complete(request.prompt, system=request.system)
    files = files_from_answer(completion.text, request.module_path, request.test_path)
    report = await asyncio.to_thread(
        run_guardrails, files, allowed_imports=request.allowed_imports, project=project
    )
    await audit.append(
        actor=actor,
        action=f"ai.generate_{request.kind}",
        target=f"scaffold:{request.module_path}",
        details={
            "provider": completion.provider,
            "model": completion.model,
            "prompt_sha256": sha256(request.system + "\n" + request.prompt),
            "answer_sha256": sha256(completion.text),
            "guardrails": report.as_dict(),
            "outcome": "written" if report.passed else "refused",
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
        },
    )
    outcome = Outcome(report, completion)
    if report.passed:
        for file, path in zip(files, targets):
            path.parent.mkdir(parents=True, exist_ok=True)
            if not file.is_test and not (path.parent / "__init__.py").exists():
                (path.parent / "__init__.py").write_text("")
            path.write_text(file.text, encoding="utf-8")
            outcome.written.append(path)
    if keep_transcript:
        outcome.transcript = _transcript(project, request, completion, report)
    return outcome


def _transcript(
    project: Path, request: Request, completion: Completion, report: GuardrailReport
) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = project / ".appkit" / "transcripts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stamp}-{request.kind}-{request.name}.json"
    path.write_text(
        json.dumps(
            {
                "kind": request.kind,
                "name": request.name,
                "provider": completion.provider,
                "model": completion.model,
                "system": request.system,
                "prompt": request.prompt,
                "answer": completion.text,
                "guardrails": report.lines(),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return path
