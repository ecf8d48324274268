"""Read models built from the event log only: each rebuildable from scratch to the same rows."""
