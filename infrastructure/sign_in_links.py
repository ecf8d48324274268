"""Used sign-in links in the database, so that a link signs in once across every
process of the service (infrastructure/tokens.py keeps them in memory otherwise)."""

from __future__ import annotations

import random
import time

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from infrastructure.readmodels import used_sign_in_links, writer

# Links past their time are removed at about one use in this many.
EXPIRE_ONE_IN = 50


class UsedLinksInDatabase:
    """A used link's id is a row: the primary key lets only the first use in."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def first_use(self, link_id: str, expires_at: float) -> bool:
        links = used_sign_in_links
        if random.randrange(EXPIRE_ONE_IN) == 0:  # noqa: S311 (not a secret)
            with writer(self._engine).begin() as conn:
                conn.execute(delete(links).where(links.c.expires_at < time.time()))
        try:
            with writer(self._engine).begin() as conn:
                conn.execute(insert(links).values(link_id=link_id, expires_at=expires_at))
        except IntegrityError:
            return False
        return True
