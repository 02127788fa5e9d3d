"""Genie spaces of the emulated workspace: sample questions answered with their SQL."""
