"""What the platform services (jobs, secrets, serving, vector search, Genie, AI) look like
to the rest of the toolkit: small port-like interfaces and value types, free of any SDK,
so the web layer and a governed-action applier depend on them and not on Databricks."""
