"""Code written by an AI provider, accepted only when every guardrail passes.

:mod:`.answer` reads the model's answer into files, :mod:`.guardrails`
checks them (parse, ruff with the S rules, import allow-list, no secrets,
the generated test passes), :mod:`.prompts` says what is asked, and
:mod:`.scaffolder` runs one request end to end: ask, check, audit by hash,
write only when all passed.
"""
