"""The in-process app fixtures of the web tests, shared by the security tests."""

from tests.web.conftest import api, clock, container, shared_app  # noqa: F401
