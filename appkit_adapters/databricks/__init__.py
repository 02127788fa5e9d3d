"""Databricks transport adapters: aiohttp REST core, Statement Execution SQL, Unity Catalog, SCIM."""
