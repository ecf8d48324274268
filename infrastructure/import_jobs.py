"""Imports sent to the service, run as jobs in a thread of the process that took them.

A job's row in `import_jobs` is its state: progress while it runs, then its report
(or why the file was refused). Any process of the service reads it. The process
running a job writes a sign of life (`beat_at`) every few seconds; a job `running`
whose beat is old was left by a process that stopped, and is shown `interrupted`
(and marked so when a process starts). Sending the same file again resumes it under
its id: rows already imported are skipped (docs/adr/0018, 0024).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID, uuid4

import structlog
from sqlalchemy import ColumnElement, Engine, Row, and_, or_, select, update

from application.fundcase import Fundcase
from application.imports.commands import ImportFile
from application.imports.views import ImportJob, ImportRefusal, ImportReport, JobState
from domain.errors import DomainError
from domain.values import Actor
from infrastructure.readmodels import import_jobs, writer

log = structlog.get_logger("fundcase.imports")

# This process, as the runner of the jobs it takes.
RUNNER = uuid4().hex
# How often a running job gives a sign of life, and how old the last one may be before
# the job counts as interrupted: a few beats, so a busy database does not end a job.
BEAT_SECONDS = 5.0
STALE_SECONDS = 30.0


class ImportJobs:
    def __init__(
        self,
        engine: Engine,
        app: Fundcase,
        *,
        beat_seconds: float = BEAT_SECONDS,
        stale_seconds: float = STALE_SECONDS,
        runner: str = RUNNER,
    ) -> None:
        self.engine = writer(engine)
        self.reader = engine
        self.app = app
        self.beat_seconds = beat_seconds
        self.stale_seconds = stale_seconds
        self.runner = runner

    def start(self, command: ImportFile, content: bytes, actor: Actor) -> ImportJob:
        """Record the job and start it in a thread; the answer is the job as begun.

        The same file, sent with the same options while a job of it is interrupted,
        resumes that job (the rows it imported are skipped)."""
        sha256 = hashlib.sha256(content).hexdigest()
        job_id = self._resume(command, sha256) or self._begin(command, sha256, actor)
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

    def _begin(self, command: ImportFile, sha256: str, actor: Actor) -> UUID:
        job_id = uuid4()
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                import_jobs.insert().values(
                    id=str(job_id),
                    file_name=command.file_name,
                    kind=command.kind,
                    sha256=sha256,
                    dry_run=command.dry_run,
                    all_or_nothing=command.all_or_nothing,
                    started_by=actor.id,
                    started_at=now,
                    state="running",
                    done=0,
                    runner=self.runner,
                    beat_at=now,
                )
            )
        return job_id

    def _resume(self, command: ImportFile, sha256: str) -> UUID | None:
        """Take over the latest interrupted job of this file, kind and options, if any:
        one update that only one of several processes asking at once can win."""
        jobs = import_jobs.c
        same = and_(
            jobs.sha256 == sha256,
            jobs.kind == command.kind,
            jobs.dry_run == command.dry_run,
            jobs.all_or_nothing == command.all_or_nothing,
            self._interrupted(),
        )
        with self.engine.begin() as conn:
            found = conn.execute(
                select(jobs.id).where(same).order_by(jobs.started_at.desc()).limit(1)
            ).scalar()
            if found is None:
                return None
            taken = conn.execute(
                update(import_jobs)
                .where(jobs.id == found, same)
                .values(
                    state="running",
                    runner=self.runner,
                    beat_at=_now(),
                    resumed=jobs.resumed + 1,
                    file_name=command.file_name,
                )
            )
        if taken.rowcount != 1:
            return None
        log.info("import_resumed", import_job=found)
        return UUID(found)

    def _interrupted(self) -> ColumnElement[bool]:
        """A job marked interrupted, or running without a recent sign of life."""
        jobs = import_jobs.c
        cutoff = _now() - timedelta(seconds=self.stale_seconds)
        return or_(
            jobs.state == "interrupted",
            and_(jobs.state == "running", or_(jobs.beat_at.is_(None), jobs.beat_at < cutoff)),
        )

    def mark_interrupted(self) -> int:
        """Mark the jobs whose process stopped as interrupted (when a process starts)."""
        jobs = import_jobs.c
        with self.engine.begin() as conn:
            marked = conn.execute(
                update(import_jobs)
                .where(jobs.state == "running", self._interrupted())
                .values(state="interrupted")
            ).rowcount
        if marked:
            log.warning("import_jobs_interrupted", jobs=marked)
        return marked

    def get(self, job_id: UUID) -> ImportJob | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(import_jobs).where(import_jobs.c.id == str(job_id))).first()
        if row is None:
            return None
        return ImportJob(
            id=UUID(row.id),
            state=self._state(row),
            file_name=row.file_name,
            kind=row.kind,
            sha256=row.sha256,
            dry_run=row.dry_run,
            all_or_nothing=row.all_or_nothing,
            started_by=row.started_by,
            started_at=row.started_at.replace(tzinfo=UTC),
            finished_at=None if row.finished_at is None else row.finished_at.replace(tzinfo=UTC),
            done=row.done,
            total=row.total,
            resumed=row.resumed,
            report=None if row.report is None else ImportReport.model_validate_json(row.report),
            refusal=None if row.refusal is None else ImportRefusal.model_validate_json(row.refusal),
        )

    def _state(self, row: Row[tuple[object, ...]]) -> JobState:
        if row.state != "running":
            return cast(JobState, row.state)
        cutoff = _now() - timedelta(seconds=self.stale_seconds)
        return "interrupted" if row.beat_at is None or row.beat_at < cutoff else "running"

    def _run(
        self,
        job_id: UUID,
        command: ImportFile,
        content: bytes,
        actor: Actor,
        context: dict[str, object],
    ) -> None:
        stop = threading.Event()
        beat = threading.Thread(
            target=self._beat, args=(job_id, stop), name=f"import-beat-{job_id}", daemon=True
        )
        beat.start()
        try:
            self._import(job_id, command, content, actor, context)
        finally:
            stop.set()

    def _beat(self, job_id: UUID, stop: threading.Event) -> None:
        """A sign of life every few seconds while the job runs, also while it reads the
        file or plans a dry run (progress is written only per batch)."""
        while not stop.wait(self.beat_seconds):
            try:
                self._update(job_id, beat_at=_now())
            except Exception:  # the database away for a moment: the next beat tries again
                log.warning("import_beat_missed", import_job=str(job_id))

    def _import(
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
        self._update(job_id, done=done, total=total, beat_at=_now())

    def _finish(self, job_id: UUID, state: str, **values: object) -> None:
        self._update(job_id, state=state, finished_at=_now(), **values)

    def _update(self, job_id: UUID, **values: object) -> None:
        """Change the job while this process runs it (not once another took it over)."""
        jobs = import_jobs.c
        with self.engine.begin() as conn:
            conn.execute(
                update(import_jobs)
                .where(jobs.id == str(job_id), jobs.runner == self.runner)
                .values(**values)
            )


def _now() -> datetime:
    """Now in UTC, stored without a zone (as the read models store times) and read as UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
