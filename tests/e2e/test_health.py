"""The service answers over HTTP on either store."""

from __future__ import annotations

from fastapi.testclient import TestClient

from demo.worked_example import record_worked_example
from domain.values import Role
from infrastructure.eventstore import open_application
from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.e2e import bodies


def test_health_reports_the_store_and_the_log_position(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    writer = open_application(settings)
    try:
        record_worked_example(writer)
        position = writer.recorder.max_notification_id()
    finally:
        writer.close()
    api = create_app(settings)
    with TestClient(api) as client:
        # A read waits until the read models hold what the log held when the service
        # started, as a client's would.
        assert client.get("/api/v1/public/register").status_code == 200
        response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["position"]) == ("ok", "ok", position)
    assert body["projections"] == {
        name: {"position": position, "lag": 0}
        for name in (
            "register",
            "decision_register",
            "decision_documents",
            "budget",
            "audit_digest",
            "read_log",
        )
    }


def test_health_reports_how_long_a_write_took_to_become_visible(database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        assert client.get("/health").json()["lag_p99_ms"] is None  # nothing written yet
        token = client.app.state.tokens.issue(  # type: ignore[attr-defined]
            subject="asa.hofsten", name="Åsa Hofsten", roles=[Role.OFFICIAL]
        )
        written = client.post(
            "/api/v1/cases", json=bodies.case(), headers={"Authorization": f"Bearer {token}"}
        )
        assert written.status_code == 201, written.text
        # The read waits for the write, as any client's would; then its lag is known.
        assert client.get("/api/v1/public/register").status_code == 200
        lag = client.get("/health").json()["lag_p99_ms"]
    assert isinstance(lag, float)
    assert lag >= 0


def test_health_says_unavailable_when_the_store_stops_answering(database_url: str) -> None:
    # No projector thread here: closing a store under a thread that is using one of
    # its SQLite connections is a crash hazard of its own, not what this test is about.
    api = create_app(Settings(database_url=database_url, projections="worker"))
    with TestClient(api) as client:
        assert client.get("/health").status_code == 200
        api.state.system.app.close()  # the event store's connections are gone
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
