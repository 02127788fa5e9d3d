"""Jobs API (2.2, and 2.1 for older SDKs): jobs and simulated runs."""
