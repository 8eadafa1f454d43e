"""The content docs stay in step with the content: every exercise, article and source is listed."""

from __future__ import annotations

from pathlib import Path

from haven.conversation import content
from haven.library import service

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_every_exercise_and_its_sources_are_documented():
    text = (DOCS / "content.md").read_text()
    for exercise in content.exercises().values():
        assert f"`{exercise.id}`" in text, exercise.id
        for source in exercise.sources:
            assert source in text, source


def test_every_article_and_its_sources_are_documented():
    text = (DOCS / "content.md").read_text()
    for article in service.articles().values():
        assert f"(`{article.id}`)" in text, article.id
        for source in article.sources:
            assert source.replace("|", "\\|") in text, source


def test_the_changelog_has_an_entry_for_the_current_content_version():
    assert f"## {content.content_version()} " in (DOCS / "changelog.md").read_text()


def test_the_content_folder_is_reachable_from_the_repository_root():
    link = DOCS.parent / "content"
    assert link.is_symlink() and (link / "VERSION").read_text().strip() == content.content_version()
