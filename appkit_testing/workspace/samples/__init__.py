"""The ``samples`` catalog every Databricks workspace has, generated locally."""
