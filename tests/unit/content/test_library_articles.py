"""The psychoeducation articles: complete, sourced, honest about review, plain, and safe to render."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from haven.conversation import content
from haven.library import service

from .readability import grade

# One article for each subject the library must cover.
REQUIRED = {
    "what-is-anxiety", "panic-attacks", "low-mood-and-depression", "sleep-problems", "rumination", "grief",
    "loneliness", "stress-at-work", "burnout", "exam-stress", "money-worries", "relationship-conflict",
    "family-conflict", "self-esteem", "how-therapy-works", "finding-a-therapist", "seeing-a-gp",
    "talking-to-someone", "after-a-crisis", "supporting-a-friend", "anger", "worry-and-problem-solving",
    "social-anxiety", "health-anxiety", "stress-response", "breathing-and-the-body", "activity-and-mood",
    "alcohol-and-mood", "caffeine-and-sleep", "loneliness-later-life-and-moving", "safety-plan", "urgent-help",
}
HUMAN_HELP = ("/help", "GP", "doctor", "therapist", "counsellor", "helpline", "health professional", "emergency number")


def all_articles():
    return list(service.articles().values())


def test_the_library_validates():
    assert service.validate() == []


def test_every_required_subject_has_an_article():
    assert REQUIRED <= set(service.articles())
    assert len(service.articles()) >= 30


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.id)
def test_each_article_is_complete_sourced_and_honest(article):
    assert 150 <= service.word_count(article.body_text) <= 350
    assert article.sources and article.keywords and article.topics
    assert set(article.topics) <= content.TOPICS
    assert article.review == "draft - awaiting clinical review" or re.match(r"reviewed \d{4}-\d{2}-\d{2} by .+", article.review)
    assert isinstance(article.updated, dt.date) and article.updated <= dt.date(2030, 1, 1)
    assert article.version >= 1


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.id)
def test_no_article_links_out_shows_images_or_says_what_haven_must_not(article):
    body = article.body_text
    assert not re.search(r"https?:|www\.|\]\(|!\[|<", body)
    hrefs = re.findall(r'href="([^"]+)"', article.body_html)
    assert all(h == "/help" or h.startswith("/library/") for h in hrefs)
    for text in (article.title, article.summary, body):
        assert content.banned_phrase(text) is None
    lowered = body.lower()
    for phrase in ("weight", "calorie", "dosage", "milligram", "units a week", "units per week"):
        assert phrase not in lowered, phrase


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.id)
def test_each_article_points_to_human_help(article):
    assert any(word in article.body_text for word in HUMAN_HELP)


@pytest.mark.parametrize("article", all_articles(), ids=lambda a: a.id)
def test_each_article_is_plain_enough_for_a_reading_age_of_about_twelve(article):
    fk_grade, per_sentence = grade(article.body_text)
    assert fk_grade <= 8.0 and per_sentence <= 14, (round(fk_grade, 1), round(per_sentence, 1))


def test_exercise_prompts_and_dialogue_are_plain_too():
    prompts = " ".join(s.prompt for e in content.exercises().values() for s in e.steps)
    assert grade(prompts)[0] <= 7.0
    lines = []
    for keys in content.dialogue().values():
        for value in keys.values():
            lines += value if isinstance(value, list) else [line for group in value.values() for line in group]
    assert grade("\n".join(lines))[0] <= 7.0


def test_the_alcohol_article_gives_no_quantities_and_points_to_support():
    body = service.get_or_raise("alcohol-and-mood").body_text
    assert not re.search(r"\d", body)
    assert "cutting down" in body.lower() or "cut down" in body.lower()
    assert "GP" in body and "/help" in body and "don't stop suddenly" in body


def test_the_activity_article_is_about_mood_not_the_body_shape():
    body = service.get_or_raise("activity-and-mood").body_text.lower()
    for word in ("weight", "calorie", "burn fat", "slim", "diet", "body shape"):
        assert word not in body
    assert "not how you look" in body


def test_the_urgent_help_article_names_emergency_numbers_and_help():
    body = service.get_or_raise("urgent-help").body_text
    for number in ("999", "911", "112", "000", "988"):
        assert number in body
    assert "/help" in body and "not an emergency service" in body


def test_the_markdown_renderer_escapes_everything_it_does_not_know():
    html = service.render_markdown(
        "## A heading\n\nSome **bold** and <script>alert(1)</script> and [a link](https://example.com).\n\n"
        "- one\n- two\n  continued\n\n1. first\n2. second\n\nSee /help or /library/what-is-anxiety, not /helpful.",
        {"what-is-anxiety": "What anxiety is"},
    )
    assert "<h2>A heading</h2>" in html and "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://' not in html and "[a link](https://example.com)" in html
    assert "<ul><li>one</li><li>two continued</li></ul>" in html
    assert "<ol><li>first</li><li>second</li></ol>" in html
    assert '<a href="/help">/help</a>' in html and '<a href="/library/what-is-anxiety">What anxiety is</a>' in html
    assert "/helpful" in html and 'href="/helpful"' not in html


def test_the_renderer_escapes_quotes_inside_bold():
    assert service.render_markdown('**"x" & y**') == "<p><strong>&quot;x&quot; &amp; y</strong></p>"


def test_internal_links_between_articles_resolve():
    for article in all_articles():
        for slug in re.findall(r'href="/library/([^"]+)"', article.body_html):
            assert slug in service.articles()


def test_get_or_raise_says_not_found_for_an_unknown_slug():
    from haven.errors import NotFound

    with pytest.raises(NotFound):
        service.get_or_raise("no-such-article")


def test_the_validator_reports_broken_articles(monkeypatch):
    bad = (
        "---\nid: other\ntitle: T\nversion: 0\nsummary: ''\nkeywords: [a]\ntopics: [weather]\nsources: []\n"
        "review: draft\nupdated: soon\n---\n# Title\n\nToo short, with <b>html</b>, a [link](http://x) and 5 mg.\n"
        "See /library/nowhere."
    )
    monkeypatch.setattr(service, "_files", lambda: [("bad", bad), ("worse", "no front matter")])
    problems = "\n".join(service.validate())
    for expected in (
        "id must be the file name", "version must be", "summary must be", "keywords", "topics", "sources",
        "updated must be a date", "words; 150 to 350", "contains HTML", "another host", "Markdown link",
        "top-level heading", "banned phrase", "unknown article 'nowhere'", "front matter", "at least 30 expected",
    ):
        assert expected in problems, expected
