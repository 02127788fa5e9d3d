"""The ``memory`` backend: a governed app whose ports are the in-memory fakes.

Registered as backend ``memory`` (entry point group ``lakehouse_appkit.backends``),
so ``create_app(settings)`` with ``APPKIT_BACKEND=memory`` and
``lakehouse-appkit run --backend memory`` find it without the web layer
importing the fakes. Tests build it directly and inspect the fakes::

    container = memory_container(load_settings({"APPKIT_BACKEND": "memory"}))
    container.clock.override(providers.Object(ControllableClock()))
    app = create_app(container)
    container.backend.audit_store().rows  # what was recorded

There is no SQL warehouse on this backend: ``/api/sql/query`` answers 503.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from appkit_testing.fakes import (
    InMemoryApprovalStore,
    InMemoryAuditStore,
    InMemoryDirectory,
    RecordingNotifier,
)
from appkit_web.containers import GovernedAppContainer, app_container, demo_users
from appkit_web.settings import Settings
from appkit_web.user_warehouses import UserWarehouses


class MemoryBackend(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    directory = providers.Singleton(InMemoryDirectory, providers.Callable(demo_users, settings))
    dev_directory = directory
    me_lookup: providers.Provider[None] = providers.Object(None)
    audit_store = providers.Singleton(InMemoryAuditStore)
    approval_store = providers.Singleton(InMemoryApprovalStore)
    notifier = providers.Singleton(RecordingNotifier)
    warehouse: providers.Provider[None] = providers.Object(None)
    user_warehouses = providers.Singleton(UserWarehouses, None, "memory")
    breakers = providers.List()


def memory_container(settings: Settings) -> GovernedAppContainer:
    """A governed app container over the in-memory fakes."""
    return app_container(settings, MemoryBackend(settings=providers.Object(settings)))
