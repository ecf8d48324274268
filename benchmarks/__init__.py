"""Benchmarks: each figure measured beside a raw baseline in the same run (see README)."""
