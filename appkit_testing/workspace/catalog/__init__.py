"""Unity Catalog: browse (from the engine), volumes and functions (emulator state), grants."""
