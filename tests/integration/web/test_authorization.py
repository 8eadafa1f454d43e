"""Deny by default (AC-1) and object-level authorization (AC-2), walking every route Haven serves."""

from __future__ import annotations

import re

from haven.app import route_table

# Routes anyone may call without a session. Everything else must answer 401, 403 or 404
# (pages redirect to /login instead).
PUBLIC = {
    ("GET", "/"), ("GET", "/about"), ("GET", "/help"),
    ("GET", "/signup"), ("POST", "/signup"), ("GET", "/login"), ("POST", "/login"), ("POST", "/login/mfa"),
    ("POST", "/logout"),
    ("POST", "/api/v1/auth/signup"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/mfa"),
    ("POST", "/api/v1/auth/recover"),
}
PAGES_THAT_REDIRECT = {("GET", "/home"), ("GET", "/access-log")}

# Every route with an id in its path needs a case here: a request Bob makes for Alice's object.
# A new route without one fails test_every_id_route_has_a_stranger_case.
ID_ROUTE_CASES: dict[tuple[str, str], object] = {}


def _routes(app):
    for path, methods in route_table(app):
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            yield method, path


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)


def test_every_route_refuses_a_request_without_a_session(client, app):
    checked = 0
    for method, path in _routes(app):
        if (method, path) in PUBLIC:
            continue
        response = client.request(method, _concrete(path), json={}, follow_redirects=False)
        if (method, path) in PAGES_THAT_REDIRECT:
            assert response.status_code == 303 and response.headers["location"] == "/login", path
        else:
            assert response.status_code in (401, 403, 404), (method, path, response.status_code)
            assert set(response.json()) == {"error"}
        checked += 1
    assert checked >= 6


def test_a_forged_or_expired_token_is_no_session(client, app):
    for token in ("x" * 43, "", "Bearer", "a.b.c"):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_every_id_route_has_a_stranger_case(app):
    id_routes = {(m, p) for m, p in _routes(app) if "{" in p}
    assert id_routes <= set(ID_ROUTE_CASES), sorted(id_routes - set(ID_ROUTE_CASES))


def test_staff_sessions_get_404_from_member_only_routes(personas):
    carter = personas.dr_carter
    assert carter.patch("/api/v1/me", json={"nickname": "x"}).status_code == 404
    assert carter.delete("/api/v1/me", json={"passphrase": "whatever it is"}).status_code == 404


def test_members_see_only_their_own_access_log(personas):
    alice, bob = personas.alice, personas.bob
    alice_log = alice.get("/api/v1/me/access-log").json()["entries"]
    bob_log = bob.get("/api/v1/me/access-log").json()["entries"]
    assert alice_log and bob_log
    assert all(e["actor_id"] in (alice.member_id, None) for e in alice_log)
    assert not {e["seq"] for e in alice_log} & {e["seq"] for e in bob_log}
