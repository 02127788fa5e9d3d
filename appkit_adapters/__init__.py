"""Implementations of the domain's ports: the local engine, Databricks, and the system."""
