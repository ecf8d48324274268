"""Readers of the register in the integration tests."""

from application.shared.access import PUBLIC, Reader
from domain.values import Actor, Role

# An auditor: reads every secret part.
AUDITOR = Reader(Actor(id="revisor", name="Revisor", role=Role.AUDITOR), sees_all=True)

__all__ = ["AUDITOR", "PUBLIC"]
