"""Reports built from result records: terminal matrix and JSON."""
