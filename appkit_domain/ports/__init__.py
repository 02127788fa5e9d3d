"""Ports: the interfaces the domain needs from the world, one module each."""
