"""The engine between tests and backends: response cache, recording, request keys."""
