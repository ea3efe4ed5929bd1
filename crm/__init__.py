"""Bank CRM pipeline: console script, synthetic bank and shared settings."""
