"""The `fundcase` command."""

from __future__ import annotations

from importlib.metadata import version as installed_version
from typing import Annotated

import structlog
import typer
import uvicorn

from infrastructure.logging import configure_logging
from infrastructure.settings import Settings
from interfaces.http.app import create_app

cli = typer.Typer(
    help="fundcase: case management for public funding decisions.", no_args_is_help=True
)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the HTTP service (SQLite in ./fundcase.db unless FUNDCASE_DATABASE_URL says else)."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    host, port = host or settings.host, port or settings.port
    structlog.get_logger("fundcase").info("serving", url=f"http://{host}:{port}")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


@cli.command()
def version() -> None:
    """Print the installed version."""
    typer.echo(installed_version("fundcase"))


def main() -> None:
    cli()
