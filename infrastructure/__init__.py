"""Persistence, settings and logging: the ports the application names, implemented."""
