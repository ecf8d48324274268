"""The composition root: the one place the running product is put together.

The HTTP service, the CLI, projector workers, benchmarks and tests all open it here:
the use cases over the configured event store, the read models (migrated) and the
projector that keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from application.fundcase import Fundcase
from application.read_models import NAMES
from infrastructure.commits import head_channel, projected_channel
from infrastructure.database_files import DatabaseFileStore
from infrastructure.eventstore import open_application, postgres_schema
from infrastructure.files import DiskFileStore, KeptFiles
from infrastructure.freshness import Freshness, FreshnessListener
from infrastructure.projector import Projector
from infrastructure.readside import make_projector, notify_conninfo, open_read_models
from infrastructure.rendering import to_pdf
from infrastructure.settings import Settings


@dataclass
class System:
    settings: Settings
    app: Fundcase
    read_models: Engine
    projector: Projector
    files: KeptFiles

    @property
    def freshness(self) -> Freshness:
        return self.projector.freshness

    def listen(self) -> FreshnessListener | None:
        """On PostgreSQL, a listener that keeps `freshness` current with every process's
        commits and projectors (started here; stop it before closing)."""
        conninfo = notify_conninfo(self.settings.database_url)
        if conninfo is None:
            return None
        schema = postgres_schema(self.settings.database_url)
        listener = FreshnessListener(
            conninfo, self.freshness, head_channel(schema), projected_channel(schema)
        )
        listener.start()
        return listener

    def projector_of(self, names: Iterable[str]) -> Projector:
        """A projector over the same store and read models that keeps only these."""
        return make_projector(self.app, self.read_models, self.settings, names)

    def close(self) -> None:
        self.read_models.dispose()
        self.app.close()


def open_system(
    settings: Settings,
    *,
    today: Callable[[], date] = date.today,
    app: Fundcase | None = None,
    projections: Iterable[str] = NAMES,
    **projector_options: float | int | str,
) -> System:
    """The product on the configured database, its read models migrated; `projections`
    are the read models its projector keeps."""
    app = app or open_application(settings, today)
    engine = open_read_models(settings)
    projector = make_projector(app, engine, settings, projections, **projector_options)
    projector.freshness.saw_head(app.log_head())
    files: KeptFiles = (
        DatabaseFileStore(engine)
        if settings.files_store == "database"
        else DiskFileStore(settings.files_dir)
    )
    # Decision documents are printed once, when made, and kept as sent (docs/adr/0019).
    app.document_store = files
    app.print_document = to_pdf
    return System(settings, app, engine, projector, files)
