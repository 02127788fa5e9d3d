"""Contract suites: abstract test classes every implementation of a port must pass.

Subclass one in a ``Test*`` class and give it the fixture the suite names;
the suite's tests then run against your implementation. They need pytest and
pytest-asyncio, and nothing beyond the domain.
"""

from appkit_testing.contracts.approval_store import ApprovalStoreContract
from appkit_testing.contracts.audit_store import AuditStoreContract
from appkit_testing.contracts.change_store import ChangeStoreContract
from appkit_testing.contracts.dq_store import DqStoreContract
from appkit_testing.contracts.governed_table import GovernedTableContract
from appkit_testing.contracts.override_store import OverrideStoreContract

__all__ = [
    "ApprovalStoreContract",
    "AuditStoreContract",
    "ChangeStoreContract",
    "DqStoreContract",
    "GovernedTableContract",
    "OverrideStoreContract",
]
