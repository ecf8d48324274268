"""The funding-decision domain: aggregates, value objects and rules. No I/O."""
