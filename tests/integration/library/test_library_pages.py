"""The library's pages: a list and one page per article, with sources and honest review status."""

from __future__ import annotations

import re

from haven.library import service


def test_the_library_page_lists_every_article(client):
    response = client.get("/library")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<h1>Library</h1>" in page
    for article in service.articles().values():
        assert f'href="/library/{article.id}"' in page
    assert "not yet been checked by a clinician" in page


def test_an_article_page_shows_its_body_sources_review_and_last_update(client):
    article = service.get_or_raise("sleep-problems")
    page = client.get("/library/sleep-problems").text
    assert re.search(r"<h1[^>]*>Sleep problems and insomnia</h1>", page)
    assert "<h2>Habits that can help</h2>" in page
    assert 'id="sources-heading">Sources</h2>' in page
    for source in article.sources:
        assert source.replace("'", "&#39;").replace('"', "&#34;") in page
    assert "Review status: draft - awaiting clinical review." in page
    assert "This article is a draft. It has not yet been checked by a clinician." in page
    assert f'<time datetime="{article.updated.isoformat()}">' in page and "Last updated" in page
    assert page.count("<h1") == 1


def test_article_pages_link_only_to_haven_itself(client):
    for slug in ("urgent-help", "how-therapy-works", "after-a-crisis"):
        page = client.get(f"/library/{slug}").text
        for href in re.findall(r'(?:href|src)="([^"]+)"', page):
            assert href.startswith(("/", "#")) and not href.startswith("//"), (slug, href)


def test_an_unknown_article_page_is_the_html_404(client):
    response = client.get("/library/no-such-article")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_every_article_page_renders(client):
    for slug in service.articles():
        assert client.get(f"/library/{slug}").status_code == 200, slug
