"""Documents are numbered 1, 2, 3, ... within their case: gap-free when officials
register at once, and the same in the register for documents registered before numbers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select

from application.fundcase import Fundcase
from application.register.projection import REGISTER
from application.shared.errors import Conflict
from demo.worked_example import OFFICIAL
from infrastructure.projector import Projector
from infrastructure.readmodels import MIGRATIONS, writer
from tests.conftest import OpenApp
from tests.service.steps import document, register


def a_document(app: Fundcase) -> tuple[UUID, UUID]:
    case_id = register(app).id
    return case_id, app.register_document(case_id, document(), OFFICIAL).document_id


def test_documents_registered_at_once_by_several_processes_are_numbered_without_gaps(
    open_app: OpenApp,
) -> None:
    apps = [open_app() for _ in range(4)]
    case_id = register(apps[0]).id

    def register_one(n: int) -> int:
        app = apps[n % len(apps)]
        while True:  # as a client does on 409: read again and retry
            try:
                return app.register_document(case_id, document(f"Handling {n}"), OFFICIAL).number
            except Conflict:
                continue

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(register_one, range(24)))
    assert sorted(numbers) == list(range(1, 25))
    case = apps[0].get_case(case_id)
    assert [case.document_number(d) for d in case.documents] == list(range(1, 25))


def test_documents_in_the_register_before_numbers_are_numbered_by_the_migration(
    app: Fundcase, engine: Engine, projector: Projector
) -> None:
    case_id, first = a_document(app)
    later = [app.register_document(case_id, document(f"Handling {n}"), OFFICIAL) for n in (2, 3)]
    projector.catch_up()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for revision in ("0006", "head"):  # the register as it was before numbers, then now
        with writer(engine).begin() as connection:
            config.attributes["connection"] = connection
            if revision == "head":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    fourth = app.register_document(case_id, document("Handling 4"), OFFICIAL)
    projector.catch_up()
    docs = REGISTER.documents.c
    with engine.connect() as conn:
        numbered = dict(conn.execute(select(docs.document_id, docs.number)).all())
    ids = [first, *(d.document_id for d in later), fourth.document_id]
    assert [numbered[str(d)] for d in ids] == [1, 2, 3, 4]
    assert fourth.number == 4
