"""The ``/api`` routers of a governed app, one module per resource."""
