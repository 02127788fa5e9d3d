"""The ``/_emulator/`` control surface: stats, statement log, principals, faults, reset."""
