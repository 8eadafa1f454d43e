"""No personal content in any log line (LG-1): a canary goes through every flow and never comes out."""

from __future__ import annotations

import io
import json
import logging

import pytest

from haven.logging import RedactionFilter, configure_logging

CANARY = "Canary4b1d"  # short enough to pass the nickname and handle limits


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)


def test_a_canary_through_every_flow_reaches_no_log_line(client, personas, log_stream):
    passphrase = f"{CANARY} secret passphrase"
    signup = client.post("/api/v1/auth/signup", json={"passphrase": passphrase, "nickname": CANARY})
    assert signup.status_code == 201
    handle, token = signup.json()["handle"], signup.json()["token"]
    client.cookies.clear()
    auth = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/me", headers=auth)
    client.patch("/api/v1/me", headers=auth, json={"nickname": CANARY + "2"})
    client.post("/api/v1/auth/login", json={"handle": CANARY, "passphrase": passphrase})
    client.post("/api/v1/auth/login", json={"handle": handle, "passphrase": CANARY + " wrong"})
    client.post("/api/v1/auth/login", json={"handle": handle, "passphrase": passphrase})
    client.post("/api/v1/auth/signup", json={"passphrase": passphrase, "country": CANARY})
    client.post("/api/v1/auth/signup", json={"passphrase": passphrase, "role": CANARY})
    client.post("/api/v1/auth/recover", json={"handle": handle, "recovery_code": CANARY, "new_passphrase": passphrase})
    client.get(f"/api/v1/{CANARY}?q={CANARY}")
    client.post("/signup", data={"passphrase": CANARY, "nickname": CANARY, "csrf_token": CANARY})
    client.post("/login", data={"handle": CANARY, "passphrase": CANARY, "csrf_token": CANARY})
    client.get("/api/v1/me/access-log", headers=auth)
    client.request("DELETE", "/api/v1/me", headers=auth, json={"passphrase": passphrase})

    output = log_stream.getvalue()
    assert output.count("\n") > 10  # the flows did log
    assert CANARY.lower() not in output.lower()
    assert handle not in output and token not in output
    for line in output.splitlines():
        json.loads(line)  # one JSON object per line: a newline in a value cannot forge a line


def _record(msg, *args, fields=None, exc=None):
    record = logging.LogRecord("haven.test", logging.ERROR, __file__, 1, msg, args, exc)
    if fields is not None:
        record.fields = fields
    RedactionFilter().filter(record)
    return record


def test_free_text_messages_are_replaced():
    assert _record("member said %s", CANARY).getMessage() == "unstructured.message.redacted"
    assert _record(f"member said {CANARY}").getMessage() == "unstructured.message.redacted"


def test_field_values_that_are_not_ids_are_redacted():
    record = _record("event.ok", fields={"user_id": "0b5f-aa", "count": 3, "text": f"I feel {CANARY}", "nl": "a\nb"})
    assert record.haven_fields == {"user_id": "0b5f-aa", "count": 3, "text": "[redacted]", "nl": "[redacted]"}


def test_exception_messages_are_dropped_but_the_frames_kept():
    try:
        raise ValueError(f"parameters: ({CANARY!r},)")
    except ValueError:
        import sys

        record = _record("request.unexpected_error", exc=sys.exc_info())
    assert record.haven_exception["type"] == "ValueError"
    assert CANARY not in json.dumps(record.haven_exception)


def test_the_servers_own_lifecycle_lines_survive_but_not_free_text():
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Uvicorn running on %s://%s:%d", ("http", "127.0.0.1", 8000), None)
    RedactionFilter().filter(record)
    assert record.getMessage() == "Uvicorn running on http://127.0.0.1:8000"
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "got %s", ("I feel <awful> today\n",), None)
    RedactionFilter().filter(record)
    assert record.getMessage() == "unstructured.message.redacted"
