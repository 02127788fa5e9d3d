"""FastAPI wiring for governed apps: settings, containers, identity, routers and the CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lakehouse-appkit")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+unknown"


def __getattr__(name: str) -> object:
    # ``appkit_web.create_app`` without importing FastAPI and every router when only the
    # CLI (or ``__version__``) is needed.
    if name == "create_app":
        from appkit_web.app import create_app

        return create_app
    raise AttributeError(f"module 'appkit_web' has no attribute {name!r}")
