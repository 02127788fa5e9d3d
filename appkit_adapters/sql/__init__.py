"""What the local engine and the Databricks client share: the SqlWarehouse interface,
typed parameters, identifier quoting and value encoding."""
