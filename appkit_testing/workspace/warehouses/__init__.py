"""SQL Warehouses API: the one warehouse statements run on."""
