"""The service answers over HTTP on either store."""

from __future__ import annotations

from fastapi.testclient import TestClient

from application.worked_example import record_worked_example
from infrastructure.eventstore import open_application
from infrastructure.settings import Settings
from interfaces.http.app import create_app


def test_health_reports_the_store_and_the_log_position(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    writer = open_application(settings)
    try:
        record_worked_example(writer)
        position = writer.recorder.max_notification_id()
    finally:
        writer.close()
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "position": position}


def test_health_says_unavailable_when_the_store_stops_answering(database_url: str) -> None:
    api = create_app(Settings(database_url=database_url))
    with TestClient(api) as client:
        assert client.get("/health").status_code == 200
        api.state.fundcase.close()  # the store's connections are gone
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
