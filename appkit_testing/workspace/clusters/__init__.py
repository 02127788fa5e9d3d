"""Clusters API: what setup code reads (runtime versions, node types); no cluster runs here."""
