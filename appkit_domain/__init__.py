"""The governance domain: pure model and services over ports (standard library only)."""
