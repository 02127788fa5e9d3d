"""Vector search of the emulated workspace: endpoints, Direct Access and Delta Sync indexes."""
