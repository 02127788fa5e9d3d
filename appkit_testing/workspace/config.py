"""Principals declared in a JSON or YAML file for ``workspace serve --principals FILE``.

Format::

    principals:
      - name: alice@example.com
        groups: [data-stewards]
        token: dapi-alice            # optional; generated when absent
      - name: 3f1c...-app-id
        kind: service_principal
        client_secret: s3cret        # optional; generated when absent
        groups: [admins]
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from appkit_domain.errors import InvalidInput
from appkit_testing.workspace.control.responses import principal_spec
from appkit_testing.workspace.errors import ApiError
from appkit_testing.workspace.identity.backend import PrincipalSpec


def load_principals(path: Path) -> list[PrincipalSpec]:
    """Read principal declarations; ``InvalidInput`` names the file and the problem."""
    try:
        text = path.read_text()
    except OSError as error:
        raise InvalidInput(f"cannot read principals file {path}: {error.strerror}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise InvalidInput(f"principals file {path} is not valid: {error}") from None
    entries = data.get("principals") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInput(f"principals file {path} needs a list under 'principals'")
    specs = []
    for entry in entries:
        try:
            spec = principal_spec(entry)
        except ApiError as error:
            raise InvalidInput(f"principals file {path}: {error.message}") from None
        if not spec.name:
            raise InvalidInput(f"principals file {path}: every principal needs a name")
        specs.append(spec)
    return specs
