"""Serving endpoints of the emulated workspace: endpoints, permissions, built-in models."""
