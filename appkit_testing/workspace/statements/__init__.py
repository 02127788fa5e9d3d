"""SQL Statement Execution API 2.0: statements run in background threads, results held in chunks."""
