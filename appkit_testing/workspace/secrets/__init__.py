"""Secrets API 2.0: scopes, secrets and scope ACLs."""
