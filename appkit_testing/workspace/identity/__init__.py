"""Identity: users, service principals, groups, personal access tokens and OAuth M2M."""
