"""Imports sent to the service, run as jobs in a thread of the process that took them.

A job's row in `import_jobs` is its state: progress while it runs, then its report
(or why the file was refused). Any process of the service reads it. A process that
stops leaves its job `running`; the file sent again resumes it, since rows already
imported are skipped (docs/adr/0018).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from uuid import UUID, uuid4

import structlog
from sqlalchemy import Engine, select, update

from application.fundcase import Fundcase
from application.imports.commands import ImportFile
from application.imports.views import ImportJob, ImportRefusal, ImportReport
from domain.errors import DomainError
from domain.values import Actor
from infrastructure.readmodels import import_jobs, writer

log = structlog.get_logger("fundcase.imports")


class ImportJobs:
    def __init__(self, engine: Engine, app: Fundcase) -> None:
        self.engine = writer(engine)
        self.reader = engine
        self.app = app

    def start(self, command: ImportFile, content: bytes, actor: Actor) -> ImportJob:
        """Record the job and start it in a thread; the answer is the job as begun."""
        job_id = uuid4()
        with self.engine.begin() as conn:
            conn.execute(
                import_jobs.insert().values(
                    id=str(job_id),
                    file_name=command.file_name,
                    sha256=hashlib.sha256(content).hexdigest(),
                    dry_run=command.dry_run,
                    all_or_nothing=command.all_or_nothing,
                    started_by=actor.id,
                    started_at=_now(),
                    state="running",
                    done=0,
                )
            )
        context = structlog.contextvars.get_contextvars()
        thread = threading.Thread(
            target=self._run,
            args=(job_id, command, content, actor, context),
            name=f"import-{job_id}",
            daemon=True,
        )
        thread.start()
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: UUID) -> ImportJob | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(import_jobs).where(import_jobs.c.id == str(job_id))).first()
        if row is None:
            return None
        return ImportJob(
            id=UUID(row.id),
            state=row.state,
            file_name=row.file_name,
            sha256=row.sha256,
            dry_run=row.dry_run,
            all_or_nothing=row.all_or_nothing,
            started_by=row.started_by,
            started_at=row.started_at.replace(tzinfo=UTC),
            finished_at=None if row.finished_at is None else row.finished_at.replace(tzinfo=UTC),
            done=row.done,
            total=row.total,
            report=None if row.report is None else ImportReport.model_validate_json(row.report),
            refusal=None if row.refusal is None else ImportRefusal.model_validate_json(row.refusal),
        )

    def _run(
        self,
        job_id: UUID,
        command: ImportFile,
        content: bytes,
        actor: Actor,
        context: dict[str, object],
    ) -> None:
        with structlog.contextvars.bound_contextvars(**context, import_job=str(job_id)):
            try:
                report = self.app.import_file(
                    command, content, actor, lambda done, total: self._progress(job_id, done, total)
                )
            except DomainError as refusal:
                self._finish(
                    job_id,
                    "refused",
                    refusal=ImportRefusal(
                        field=refusal.field, rule=refusal.rule, message=refusal.message
                    ).model_dump_json(),
                )
                log.info("import_refused", rule=refusal.rule)
                return
            except Exception:
                log.exception("import_failed")
                self._finish(job_id, "failed")
                return
            self._finish(job_id, "done", report=report.model_dump_json(), done=report.rows)
            log.info("import_done", summary=report.summary())

    def _progress(self, job_id: UUID, done: int, total: int) -> None:
        self._update(job_id, done=done, total=total)

    def _finish(self, job_id: UUID, state: str, **values: object) -> None:
        self._update(job_id, state=state, finished_at=_now(), **values)

    def _update(self, job_id: UUID, **values: object) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(import_jobs).where(import_jobs.c.id == str(job_id)).values(**values)
            )


def _now() -> datetime:
    """Now in UTC, stored without a zone (as the read models store times) and read as UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
