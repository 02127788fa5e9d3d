"""FastAPI wiring for governed apps: settings, containers, identity, routers and the CLI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lakehouse-appkit")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+unknown"
