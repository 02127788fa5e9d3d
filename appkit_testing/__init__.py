"""Test support for governed apps: fakes, contract suites, the emulated workspace, a pytest plugin."""
