"""The digest kept by the audit read model, and the event table checked against it."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, func, select

from application.audit.chain import ChainRow, Digest, Verdict, verify_against_chain
from application.audit.log import AuditLog
from application.audit.projection import AUDIT_DIGEST


def kept_chain(engine: Engine, up_to: int | None = None) -> Iterator[ChainRow]:
    chain = AUDIT_DIGEST.chain.c
    query = select(chain.position, chain.leaf, chain.chain).order_by(chain.position)
    if up_to is not None:
        query = query.where(chain.position <= up_to)
    with engine.connect() as conn:
        for position, leaf_hex, chain_hex in conn.execute(query):
            yield ChainRow(position, leaf_hex, chain_hex)


def current_digest(engine: Engine, position: int | None = None) -> Digest | None:
    """The digest at the kept chain's newest position, or at the last one up to `position`."""
    chain = AUDIT_DIGEST.chain.c
    last = select(chain.position, chain.chain).order_by(chain.position.desc()).limit(1)
    count = select(func.count()).select_from(AUDIT_DIGEST.chain)
    if position is not None:
        last = last.where(chain.position <= position)
        count = count.where(chain.position <= position)
    with engine.connect() as conn:
        row = conn.execute(last).first()
        events = conn.execute(count).scalar_one()
    if row is None:
        return None
    return Digest(position=row.position, events=int(events), chain_head=row.chain)


def verify_store(log: AuditLog, engine: Engine) -> Verdict:
    """The raw event table against the chain kept when the events were digested."""
    digest = current_digest(engine)
    if digest is None:
        return Verdict(True, 0, 0)
    records = (r for r in log.stored_records() if r.position <= digest.position)
    return verify_against_chain(records, kept_chain(engine, digest.position))
