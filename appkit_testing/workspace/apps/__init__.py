"""Apps API 2.0: Databricks Apps, their deployments and permissions."""
