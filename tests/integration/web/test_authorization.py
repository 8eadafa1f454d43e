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
    ("GET", "/library"), ("GET", "/library/{slug}"), ("GET", "/api/v1/library"), ("GET", "/api/v1/library/{slug}"),
    ("GET", "/api/v1/help"),
}
PAGES_THAT_REDIRECT = {
    ("GET", "/home"), ("GET", "/access-log"), ("GET", "/chat"), ("GET", "/chat/{conversation_id}"),
}
# Page forms check the CSRF token before anything else: without a session they are refused with 403 or 422.
PAGE_FORMS = {("POST", "/chat"), ("POST", "/chat/{conversation_id}")}

# Every route with an id in its path needs a case here: how Bob asks for Alice's object
# ("json" body, "form" body with the CSRF token, or None). A new route without one fails
# test_every_id_route_has_a_stranger_case.
ID_ROUTE_CASES: dict[tuple[str, str], tuple[str | None, dict | None]] = {
    ("GET", "/api/v1/conversations/{conversation_id}/messages"): (None, None),
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): ("json", {"text": "hello"}),
    ("GET", "/chat/{conversation_id}"): (None, None),
    ("POST", "/chat/{conversation_id}"): ("form", {"text": "hello"}),
}


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
        if (method, path) in PAGE_FORMS:
            assert response.status_code in (403, 422), (method, path, response.status_code)
        elif (method, path) in PAGES_THAT_REDIRECT:
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
    id_routes = {(m, p) for m, p in _routes(app) if "{" in p and (m, p) not in PUBLIC}
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


def _alices_objects(personas) -> dict[str, str]:
    alice = personas.alice
    conversation_id = alice.post("/api/v1/conversations", json={}).json()["id"]
    alice.post(f"/api/v1/conversations/{conversation_id}/messages", json={"text": "ALICEPRIVATE I feel low"})
    return {"conversation_id": conversation_id}


def _ask(client, person, method, url, kind, body):
    if kind == "form":
        client.get("/login")  # a page sets the CSRF cookie
        body = {**body, "csrf_token": client.cookies.get("__Host-haven_csrf")}
        return client.request(method, url, data=body, headers=person.headers, follow_redirects=False)
    return client.request(method, url, json=body, headers=person.headers, follow_redirects=False)


def test_a_stranger_gets_404_and_no_data_from_every_id_route(client, personas):
    ids = _alices_objects(personas)
    bob = personas.bob
    for (method, path), (kind, body) in ID_ROUTE_CASES.items():
        response = _ask(client, bob, method, path.format(**ids), kind, body)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "ALICEPRIVATE" not in response.text and "feel low" not in response.text
    # Alice's conversation is untouched by Bob's attempts.
    messages = personas.alice.get(f"/api/v1/conversations/{ids['conversation_id']}/messages").json()["messages"]
    assert len(messages) == 2


def test_unknown_ids_are_404_too(client, personas):
    import uuid

    alice = personas.alice
    for _ in range(20):
        ids = {"conversation_id": str(uuid.uuid4())}
        for (method, path), (kind, body) in ID_ROUTE_CASES.items():
            assert _ask(client, alice, method, path.format(**ids), kind, body).status_code == 404, path
