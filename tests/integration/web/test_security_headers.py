"""Every response carries the security headers; errors take one shape and never leak."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from haven.app import create_app, route_table
from haven.config import Settings


def _get_routes(app):
    return [path for path, methods in route_table(app) if "GET" in methods and "{" not in path]


def test_every_get_route_sends_the_security_headers(client, app, personas):
    alice = personas.alice
    paths = _get_routes(app) + ["/static/haven.css", "/no-such-page", "/api/v1/no-such-thing"]
    assert len(paths) >= 10
    for path in paths:
        response = alice.get(path, follow_redirects=False)
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        assert "max-age=" in headers["strict-transport-security"], path  # served over https here
        if not path.startswith("/static/"):
            assert headers["cache-control"] == "no-store", path


def test_hsts_is_absent_over_plain_http(runtime):
    with TestClient(create_app(runtime=runtime), base_url="http://testserver") as plain:
        assert "strict-transport-security" not in plain.get("/").headers


def test_errors_take_one_shape(client, personas):
    cases = [
        client.get("/api/v1/me"),
        client.get("/api/v1/does-not-exist"),
        client.post("/api/v1/auth/signup", json={"passphrase": "short"}),
        client.post("/api/v1/auth/signup", json={"passphrase": 12345678}),
        client.post("/api/v1/auth/signup", content=b"{not json", headers={"content-type": "application/json"}),
        client.post("/api/v1/auth/signup", json={"passphrase": "correct horse battery", "role": "clinician"}),
        client.put("/api/v1/me"),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.text
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
        assert "Traceback" not in response.text


def test_mass_assignment_is_refused(client):
    response = client.post("/api/v1/auth/signup", json={"passphrase": "correct horse battery", "role": "clinician"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("role")


def test_validation_errors_do_not_echo_the_input(client):
    canary = "CANARY-9f8e7d-<script>"
    response = client.post("/api/v1/auth/signup", json={"passphrase": "x" * 20, "country": canary})
    assert response.status_code == 422
    assert canary not in response.text and "CANARY" not in response.text


def test_bodies_past_the_limit_get_413(client):
    big = {"passphrase": "x" * (80 * 1024)}
    response = client.post("/api/v1/auth/signup", json=big)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    # The server keeps serving.
    assert client.get("/").status_code == 200


def test_chunked_bodies_past_the_limit_get_413(client):
    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    response = client.post("/api/v1/auth/signup", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_html_errors_are_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "We could not find that page" in response.text and "/help" in response.text


def test_api_docs_are_off_in_production(runtime, tmp_path):
    settings = Settings(
        env="production", data_dir=tmp_path / "prod", database_url=runtime.settings.resolved_database_url,
        keyring_dir=runtime.settings.resolved_keyring_dir, secret_key="s" * 40, public_url="https://haven.example.org",
    )
    from haven.runtime import build_runtime

    prod = build_runtime(settings, engine=runtime.engine)
    with TestClient(create_app(runtime=prod), base_url="https://testserver") as c:
        assert c.get("/api/docs").status_code == 404
        assert c.get("/api/openapi.json").status_code == 404


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_api_docs_are_on_in_development(client, path):
    assert client.get(path).status_code == 200


def test_openapi_has_no_secrets_in_query_parameters(client):
    spec = client.get("/api/openapi.json").json()
    for path, item in spec["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    assert not any(w in parameter["name"].lower() for w in ("token", "passphrase", "password", "email", "code")), path
