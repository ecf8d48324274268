"""What only the HTTP layer answers: health and problems. Every other request and answer
is a use case's command or a query's view (application/)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from application.shared.views import View


class ProjectionHealth(View):
    position: int
    lag: int


class Health(View):
    status: str
    database: str
    position: int | None = None
    projections: dict[str, ProjectionHealth] | None = None
    lag_p99_ms: float | None = Field(
        default=None,
        description="99th percentile, in milliseconds, of the time from a command's commit "
        "to its being visible in every read model, over the last 2 000 commands the "
        "projector told this process of (on PostgreSQL every process hears every "
        "projector; on SQLite, this process's own); null before any",
    )


# --- Errors -------------------------------------------------------------------------


class FieldError(BaseModel):
    field: str
    message: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    request_id: str | None = None
    rule: str | None = Field(default=None, description="The business rule that was broken")
    detail_sv: str | None = Field(
        default=None,
        description="When a rule was broken: why, in Swedish, as the web pages say it "
        "(the rule's refusal without its name; `detail` stays the English text)",
        examples=[
            "punkt 8.1 delegerar till Regional utvecklingsdirektör, inte till Utvecklingsstrateg"
        ],
    )
    errors: list[FieldError] | None = None
