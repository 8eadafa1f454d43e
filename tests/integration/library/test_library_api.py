"""The library's JSON API: public, complete, and 404 in Haven's error shape for an unknown article."""

from __future__ import annotations

from haven.conversation.content import content_version
from haven.library import service


def test_anyone_can_list_the_library_without_an_account(client):
    response = client.get("/api/v1/library")
    assert response.status_code == 200
    body = response.json()
    assert body["content_version"] == content_version()
    assert len(body["articles"]) == len(service.articles()) >= 30
    first = body["articles"][0]
    assert set(first) == {"id", "title", "summary", "topics", "version"}
    assert [a["title"].lower() for a in body["articles"]] == sorted(a["title"].lower() for a in body["articles"])


def test_one_article_comes_with_its_body_sources_version_and_review(client):
    response = client.get("/api/v1/library/what-is-anxiety")
    assert response.status_code == 200
    article = response.json()
    assert article["id"] == "what-is-anxiety" and article["version"] >= 1
    assert article["sources"] and article["review"] == "draft - awaiting clinical review"
    assert article["body_html"].startswith("<p>") and "<script" not in article["body_html"]
    assert article["updated"] == service.get_or_raise("what-is-anxiety").updated.isoformat()


def test_an_unknown_article_is_a_404_in_the_error_shape(client):
    response = client.get("/api/v1/library/no-such-article")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == "not_found"


def test_odd_slugs_are_just_not_found(client):
    for slug in ("..%2F..%2Fetc%2Fpasswd", "WHAT-IS-ANXIETY", "%3Cscript%3E", "a" * 300):
        response = client.get(f"/api/v1/library/{slug}")
        assert response.status_code == 404, slug
        assert response.json()["error"]["code"] == "not_found"


def test_a_signed_in_member_reads_the_same_library(personas):
    response = personas.alice.get("/api/v1/library/grief")
    assert response.status_code == 200 and response.json()["id"] == "grief"
