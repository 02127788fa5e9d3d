"""The sample governed app: the demo world's users, roles, policies and data."""
