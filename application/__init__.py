"""Use cases and queries: each loads aggregates, lets them check, and saves atomically."""
