"""Workspace API 2.0: the workspace file tree (folders, files, notebooks)."""
