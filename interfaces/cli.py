"""The `fundcase` command."""

from __future__ import annotations

import getpass
import signal
import sys
import threading
from enum import StrEnum
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Annotated

import structlog
import typer
import uvicorn
from fastapi import FastAPI
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from application.audit.chain import Digest, verify_against_digest
from application.audit.queries import current_digest, verify_store
from application.imports.commands import ImportFile, ImportMapping
from application.imports.mapping import read_mapping
from application.imports.rules import ImportFileMustNotExceedSizeLimit
from application.imports.use_cases import MAX_IMPORT_BYTES
from application.imports.views import REPORT_COLUMNS
from application.read_models import NAMES
from demo.demo import load_demo
from domain.errors import DomainError
from domain.rules import check
from domain.values import Actor, Role
from infrastructure.audit_bundle import verify_bundle, write_bundle
from infrastructure.eventstore import (
    POSTGRES_FACTORY,
    DatabaseNotReady,
    open_application,
    persistence_env,
)
from infrastructure.logging import configure_logging
from infrastructure.projector import RebuildHelperFailed
from infrastructure.readside import open_read_models
from infrastructure.roles import EventTables, RoleRefused, grant_app_role
from infrastructure.settings import Settings
from infrastructure.system import System, open_system
from infrastructure.tokens import (
    SecretRefused,
    TokenRefused,
    Tokens,
    make_secret_file,
    signing_secret,
)
from interfaces.http.app import create_app
from interfaces.http.spreadsheets import csv_text

cli = typer.Typer(
    help="fundcase: case management for public funding decisions.", no_args_is_help=True
)
projections_cli = typer.Typer(help="Look after the read models.", no_args_is_help=True)
cli.add_typer(projections_cli, name="projections")
files_cli = typer.Typer(help="Look after documents' files.", no_args_is_help=True)
cli.add_typer(files_cli, name="files")
audit_cli = typer.Typer(help="Check that history was not changed afterwards.", no_args_is_help=True)
cli.add_typer(audit_cli, name="audit")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[
        bool, typer.Option(help="Load the demo history first, if the database is empty.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=32,
            help="API processes on one port, for more cores (default FUNDCASE_WORKERS or 1).",
        ),
    ] = None,
) -> None:
    """Run the HTTP service (SQLite in ./fundcase.db unless FUNDCASE_DATABASE_URL says else)."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    api = create_app(settings)  # refuses a key it cannot use before anything starts
    if demo:
        _load_demo_if_empty(settings)
    host, port = host or settings.host, port or settings.port
    workers = workers or settings.workers
    structlog.get_logger("fundcase").info("serving", url=f"http://{host}:{port}", workers=workers)
    if workers == 1:
        uvicorn.run(api, host=host, port=port, log_config=None, access_log=False)
        return
    # Each worker builds the app from the same settings (the environment); a lease keeps
    # each projection to one of them, and every process serves reads of its own writes.
    uvicorn.run(
        "interfaces.cli:worker_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


def worker_app() -> FastAPI:
    """The app of one of several API processes (`serve --workers N`)."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)


@cli.command()
def migrate(
    grant_to: Annotated[
        str | None,
        typer.Option(
            metavar="ROLE",
            help="Make ROLE (if missing) the service's role: it may append and read "
            "events and keep the read models, nothing more (PostgreSQL).",
        ),
    ] = None,
    role_password: Annotated[
        str | None,
        typer.Option(
            envvar="FUNDCASE_ROLE_PASSWORD",
            help="The password ROLE logs in with, set when it is made or given again.",
            show_envvar=True,
        ),
    ] = None,
) -> None:
    """Create or bring up to date the event store's tables and the read models.

    Run it as the database's owner before the service starts (the service's role may
    not change tables; docs/adr/0015)."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    if (
        grant_to is not None
        and persistence_env(settings.database_url).get("PERSISTENCE_MODULE") != POSTGRES_FACTORY
    ):
        raise typer.BadParameter("database roles are PostgreSQL's", param_hint="--grant-to")
    app = open_application(settings, create_tables=True)
    try:
        open_read_models(settings).dispose()
        if grant_to is not None:
            tables = EventTables.of(app)
            made = grant_app_role(settings.database_url, tables, grant_to, role_password)
            structlog.get_logger("fundcase").info("role_granted", role=grant_to, created=made)
    finally:
        app.close()
    structlog.get_logger("fundcase").info("migrated")


@cli.command("make-secret")
def make_secret(
    file: Annotated[Path, typer.Argument(help="Where to keep the key (FUNDCASE_SECRET_FILE).")],
) -> None:
    """Write a random HS256 key to FILE (mode 0600), unless FILE exists: then check it."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    try:
        made = make_secret_file(file)
    except OSError as error:
        raise SecretRefused(f"the secret file {file} cannot be made: {error.strerror}") from None
    # Checked as the service will check it.
    signing_secret(settings.model_copy(update={"secret": None, "secret_file": file}))
    structlog.get_logger("fundcase").info("secret_made" if made else "secret_kept", file=str(file))


@cli.command()
def projector(
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Events per transaction.")
    ] = 1000,
    until_caught_up: Annotated[
        bool, typer.Option(help="Stop once the read models reach the end of the log.")
    ] = False,
    lease_seconds: Annotated[
        float,
        typer.Option(min=0, help="How long a crashed worker's projections wait for another."),
    ] = 15.0,
) -> None:
    """Keep the read models up to date from the event log (a worker process)."""
    system = _open(batch_size=batch_size, lease_seconds=lease_seconds)
    runner = system.projector
    if until_caught_up:
        runner.catch_up()
        runner.release_leases()
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner.run(stop)


@projections_cli.command("status")
def projections_status() -> None:
    """Where each projection stands in the log, and who runs it."""
    runner = _open("warning").projector
    table = Table("projection", "position", "head", "lag", "held by")
    for status in runner.status():
        table.add_row(
            status.name,
            str(status.position),
            str(status.head),
            str(status.lag),
            status.holder or "–",
        )
    Console().print(table)


@projections_cli.command("rebuild")
def projections_rebuild(
    name: Annotated[
        str | None, typer.Argument(help=f"One of: {', '.join(NAMES)}; all if left out.")
    ] = None,
    afresh: Annotated[
        bool,
        typer.Option(
            "--afresh", help="Start again from the first event, not where a stopped rebuild got to."
        ),
    ] = False,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            min=1,
            help=(
                "How many processes share the work of rebuilding every projection "
                "(default: 2 on PostgreSQL for 100 000 events or more, else 1)."
            ),
        ),
    ] = None,
) -> None:
    """Rebuild read models from the whole log into fresh tables, then swap them in.

    All of them (no name) are rebuilt together and swapped in together: in one pass over
    the log, or on PostgreSQL shared out between processes, each with a pass of its own.
    A rebuild that was stopped goes on from where it got to when run again."""
    if name is not None and name not in NAMES:
        raise typer.BadParameter(f"unknown projection {name!r}; choose from {', '.join(NAMES)}")
    runner = _open("warning").projector
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond("events"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as progress:
        task = progress.add_task(name or "all projections", total=None)
        resumed_at: list[int] = []

        def advance(done: int, total: int) -> None:
            if not resumed_at:  # where a resumed rebuild starts is not this run's speed
                resumed_at.append(done)
                progress.update(task, total=total - done)
            progress.update(task, completed=done - resumed_at[0], total=total - resumed_at[0])

        # Stopped by a signal, the rebuild stops its helper processes and keeps what it did.
        told = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
        try:
            runner.rebuild_all(
                [name] if name else NAMES, advance, afresh=afresh, processes=processes
            )
        finally:
            signal.signal(signal.SIGTERM, told)


class RowsPerSecond(ProgressColumn):
    """The rate of a run, in rows (or another unit) a second: while it runs, as the
    last steps went; once done, over the whole run (steps that come unevenly, such as
    a rebuild's helper processes reporting, make the last ones misleading)."""

    def __init__(self, unit: str = "rows") -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.speed
        if task.finished_time:
            speed = task.completed / task.finished_time
        elif speed is None and task.elapsed and task.completed:  # a few big steps
            speed = task.completed / task.elapsed
        if speed is None:
            return Text(f"– {self.unit}/s")
        return Text(f"{speed:,.0f} {self.unit}/s".replace(",", " "))


class ImportKindOption(StrEnum):
    CASES = "cases"
    DECISIONS = "decisions"


@cli.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, XLSX or JSON Lines.")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="A mapping file (TOML) for other names."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Record nothing; report what a run would do.")
    ] = False,
    all_or_nothing: Annotated[
        bool,
        typer.Option("--all-or-nothing", help="Refuse the whole file if any row is bad."),
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option(help="Where to write the report (+ .csv, .json); FILE's name.report."),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Who runs the import, recorded in every event.")
    ] = None,
    kind: Annotated[
        ImportKindOption,
        typer.Option(
            help="cases: a register's cases; decisions: decisions taken in cases imported "
            "before, with their commitments and usage to date."
        ),
    ] = ImportKindOption.CASES,
) -> None:
    """Import the cases of another register's export, or the decisions taken in them;
    each row is imported or reported."""
    settings = Settings()
    configure_logging(settings.log_format, "warning")
    name = by or getpass.getuser()
    actor = Actor(id=name, name=name, role=Role.ADMIN)
    command = ImportFile(
        file_name=file.name,
        mapping=read_mapping(mapping.read_text(encoding="utf-8")) if mapping else ImportMapping(),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        kind=kind.value,
    )
    check(ImportFileMustNotExceedSizeLimit(file.stat().st_size, MAX_IMPORT_BYTES), "file")
    system = open_system(settings)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task(file.name, total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            result = system.app.import_file(command, file.read_bytes(), actor, advance)
    finally:
        system.close()
    base = report or file.with_name(f"{file.stem}.report")
    as_csv, as_json = Path(f"{base}.csv"), Path(f"{base}.json")
    as_csv.write_text(csv_text(REPORT_COLUMNS, result.table()), encoding="utf-8-sig")
    as_json.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    for line in result.refusals():
        typer.echo(line, err=True)
    typer.echo(result.summary())
    typer.echo(f"report: {as_csv}, {as_json}")
    if result.file_refused:
        raise typer.Exit(1)


@cli.command("demo")
def demo_command() -> None:
    """Record the demo history (seeds 000–004) through the use cases, into an empty database."""
    settings = Settings()
    configure_logging(settings.log_format, "warning")
    if not _load_demo_if_empty(settings):
        typer.echo("The database already holds events; the demo loads only into an empty one.")
        raise typer.Exit(1)


def _load_demo_if_empty(settings: Settings) -> bool:
    system = open_system(settings)
    try:
        if system.app.log_head():
            return False
        report = load_demo(system.app)
    finally:
        system.close()
    for line in report.recorded:
        typer.echo(f"recorded  {line}")
    for line in report.refused:
        typer.echo(f"refused   {line}", err=True)
    return True


@cli.command()
def token(
    role: Annotated[list[Role], typer.Option(help="A role the token holds (repeatable).")],
    name: Annotated[str, typer.Option(help="The holder's name, recorded as the actor.")],
    title: Annotated[str | None, typer.Option(help="The holder's title.")] = None,
    unit: Annotated[
        str | None, typer.Option(help="The holder's unit (secret parts of its cases).")
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="The holder's id; defaults to the name.")
    ] = None,
    ttl: Annotated[int, typer.Option(min=1, max=60 * 24 * 30, help="Minutes it is valid.")] = 60,
) -> None:
    """Print a bearer token signed with this installation's key, for local use."""
    settings = Settings()
    configure_logging(settings.log_format, "warning")  # on stderr: stdout is the token
    tokens = Tokens(settings)
    try:
        printed = tokens.issue(
            subject=subject or name,
            name=name,
            roles=list(role),
            title=title,
            unit=unit,
            ttl_minutes=ttl,
        )
    except TokenRefused as refusal:
        raise typer.BadParameter(str(refusal)) from None
    typer.echo(printed)


@cli.command("sign-in-link")
def sign_in_link(
    role: Annotated[list[Role], typer.Option(help="A role the person holds (repeatable).")],
    name: Annotated[str, typer.Option(help="The person's name, recorded as the actor.")],
    title: Annotated[str | None, typer.Option(help="The person's title.")] = None,
    unit: Annotated[
        str | None, typer.Option(help="The person's unit (secret parts of its cases).")
    ] = None,
    subject: Annotated[
        str | None, typer.Option(help="The person's id; defaults to the name.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Where the service is reached; defaults to host:port.")
    ] = None,
) -> None:
    """Print a one-time link that signs a person in to the web pages (15 minutes)."""
    settings = Settings()
    configure_logging(settings.log_format, "warning")
    try:
        ticket = Tokens(settings).issue_ticket(
            subject=subject or name, name=name, roles=list(role), title=title, unit=unit
        )
    except TokenRefused as refusal:
        raise typer.BadParameter(str(refusal)) from None
    base = (base_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    typer.echo(f"{base}/app/logga-in/lank?biljett={ticket}")


@files_cli.command("verify")
def files_verify() -> None:
    """Rehash every stored file the event log names; list any that differ or are missing."""
    system = _open("warning")
    named: dict[str, list[str]] = {}
    for file in system.app.every_attached_file():
        named.setdefault(file.sha256, []).append(file.name)
    for kept in system.app.every_decision_file():  # decision documents as sent
        named.setdefault(kept.sha256, []).append(kept.name)
    broken = 0
    for found in system.files.verify(named):
        if found.state != "intact":
            broken += 1
            names = ", ".join(sorted(set(named[found.sha256])))
            typer.echo(f"{found.state:8}  {found.sha256}  {names}")
    typer.echo(
        f"{len(named) - broken} of {len(named)} stored files intact"
        + (f"; {broken} differ or are missing" if broken else "")
    )
    aside = system.files.received_aside()
    if aside:  # uploads being received now, or left by a process that stopped midway
        typer.echo(f"{len(aside)} uploads received aside are not (yet) kept")
    if broken:
        raise typer.Exit(1)


@audit_cli.command("digest")
def audit_digest() -> None:
    """Print the digest of the log so far, as JSON: keep it outside the system."""
    digest = current_digest(_digested(_open("warning")))
    if digest is None:
        raise typer.BadParameter("the event log is empty")
    typer.echo(digest.model_dump_json())


@audit_cli.command("verify")
def audit_verify(
    digest_file: Annotated[
        Path | None, typer.Option("--digest", help="A digest kept earlier (JSON).")
    ] = None,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="Check an exported bundle, offline.")
    ] = None,
) -> None:
    """Recompute the hash chain and say 'intact up to position N' or where history differs."""
    kept = Digest.model_validate_json(digest_file.read_text()) if digest_file else None
    if bundle is not None:
        verdicts = [verify_bundle(bundle, kept)]
    else:
        system = _open("warning")
        verdicts = [verify_store(system.app, _digested(system))]
        if kept is not None:
            verdicts.append(verify_against_digest(system.app.stored_records(), kept))
    for verdict in verdicts:
        typer.echo(str(verdict))
    if not all(v.intact for v in verdicts):
        raise typer.Exit(1)


@audit_cli.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("--out", help="Where to write the bundle (JSON Lines).")],
) -> None:
    """Write an auditor's bundle: every event with its chain, and the digest."""
    system = _open("warning")
    digest = current_digest(_digested(system))
    if digest is None:
        raise typer.BadParameter("the event log is empty")
    written = write_bundle(out, system.app.stored_records(), digest)
    typer.echo(f"wrote {written} events up to position {digest.position} to {out}")


@audit_cli.command("replay")
def audit_replay() -> None:
    """Rebuild every projection into scratch tables from the log and compare with the live ones."""
    runner = _open("warning").projector
    differences = {name: runner.replay_differences(name) for name in NAMES}
    for name, found in differences.items():
        typer.echo(f"{name}: " + ("same as a replay of the log" if not found else "; ".join(found)))
    if any(differences.values()):
        raise typer.Exit(1)


def _open(
    log_level: str | None = None, *, batch_size: int = 1000, lease_seconds: float = 15.0
) -> System:
    """The product as configured, logging at the level given (else as configured)."""
    settings = Settings()
    configure_logging(settings.log_format, log_level or settings.log_level)
    return open_system(settings, batch_size=batch_size, lease_seconds=lease_seconds)


def _digested(system: System) -> Engine:
    """The read models with the digest brought up to the end of the log, where it can be."""
    system.projector_of(["audit_digest"]).catch_up()
    return system.read_models


@cli.command()
def version() -> None:
    """Print the installed version."""
    typer.echo(installed_version("fundcase"))


def main() -> None:
    """The command; a configuration it cannot start with is told in one line, no trace."""
    try:
        cli()
    except (SecretRefused, DatabaseNotReady, RoleRefused) as refusal:
        typer.echo(f"fundcase: {refusal}", err=True)
        sys.exit(2)
    except RebuildHelperFailed as stopped:
        typer.echo(f"fundcase: {stopped}", err=True)
        sys.exit(1)
    except DomainError as refusal:  # a file or mapping `fundcase import` cannot read
        typer.echo(
            f"fundcase: {refusal.field or 'input'}: {refusal.message} ({refusal.rule})", err=True
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
