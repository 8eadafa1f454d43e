"""One unit of work per request: it commits before the answer goes out, or nothing is kept."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from haven.accounts.models import User
from haven.audit.models import AuditLog


def _count(runtime, model) -> int:
    with runtime.session_factory() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_failed_commit_is_an_error_not_a_false_success(app, runtime, monkeypatch):
    users, entries = _count(runtime, User), _count(runtime, AuditLog)
    original = runtime.session_factory

    def failing_factory(*args, **kwargs):
        session = original(*args, **kwargs)

        def commit():
            session.rollback()
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        session.commit = commit
        return session

    monkeypatch.setattr(runtime, "session_factory", failing_factory)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        response = client.post("/api/v1/auth/signup", json={"passphrase": "correct horse battery staple"})
        assert response.status_code == 500
        assert response.json() == {"error": {"code": "internal", "message": response.json()["error"]["message"]}}
        assert "disk I/O" not in response.text and "Traceback" not in response.text
    monkeypatch.setattr(runtime, "session_factory", original)
    assert (_count(runtime, User), _count(runtime, AuditLog)) == (users, entries)


def test_an_error_in_the_handler_keeps_nothing(client, runtime):
    users = _count(runtime, User)
    # A common password fails after the request has been parsed: nothing is written.
    assert client.post("/api/v1/auth/signup", json={"passphrase": "password1"}).status_code == 422
    assert _count(runtime, User) == users
