"""Search over the library: finds the right article for real questions, and nothing for unrelated text."""

from __future__ import annotations

import pytest

from haven.library import service


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("why can't I sleep", {"sleep-problems", "caffeine-and-sleep"}),
        ("what happens when I see a GP about my mood", {"seeing-a-gp"}),
        ("what is a panic attack", {"panic-attacks"}),
        ("how do I find a therapist", {"finding-a-therapist"}),
        ("how does CBT work", {"how-therapy-works"}),
        ("I keep going over things in my head", {"rumination"}),
        ("how do I stop worrying", {"worry-and-problem-solving"}),
        ("is coffee bad for sleep", {"caffeine-and-sleep"}),
        ("my mum and dad keep fighting", {"family-conflict"}),
        ("I can't pay my rent", {"money-worries"}),
        ("I have exams next week", {"exam-stress"}),
        ("what is burnout", {"burnout"}),
        ("what is a safety plan", {"safety-plan"}),
        ("how do I breathe to calm down", {"breathing-and-the-body"}),
        ("what is anxiety", {"what-is-anxiety"}),
        ("my friend is depressed, how can I help", {"supporting-a-friend", "low-mood-and-depression"}),
        ("I'm so lonely since I moved", {"loneliness-later-life-and-moving", "loneliness"}),
        ("does exercise help depression", {"activity-and-mood"}),
        ("I'm worried I have a serious illness", {"health-anxiety"}),
    ],
)
def test_it_finds_the_article_for_a_question(question, expected):
    match = service.search(question)
    assert match is not None and match.article.id in expected, (question, match and match.article.id)
    assert match.score >= service.MIN_SCORE


def test_a_complaint_about_a_boss_finds_a_work_article_or_nothing_unrelated():
    match = service.search("my boss keeps shouting at me")
    assert match is None or "work" in match.article.topics


@pytest.mark.parametrize(
    "text",
    [
        "the weather is nice", "what's the capital of France", "I like pizza", "tell me a joke", "hello", "thanks",
        "ok", "yes", "my cat is cute", "football match tonight", "what time is it", "I had a good day at the park",
        "what's the best phone to buy", "can you recommend a film", "my computer is broken", "", "   ", "?!",
        "what should I eat to lose weight", "how many pills should I take",
    ],
)
def test_unrelated_text_finds_nothing(text):
    assert service.search(text) is None


def test_a_topic_boosts_articles_about_it_but_cannot_make_a_match_from_nothing():
    plain = service.search("my friend is depressed, how can I help")
    boosted = service.search("my friend is depressed, how can I help", topic="mood")
    assert plain is not None and boosted is not None
    assert boosted.article.id == "low-mood-and-depression"
    assert service.search("the weather is nice", topic="mood") is None


def test_scores_are_zero_without_a_title_word_or_whole_keyword_in_the_query():
    scores = service.scores("I went to the park")
    assert max(scores.values()) == 0


def test_the_tokeniser_stems_and_drops_stop_words():
    assert service.tokens("I'm worrying about my worries") == ["worry", "worry"]
    assert service.tokens("Why can't I sleep?") == ["sleep"]
    assert service.tokens("anxious and depressed") == ["anxiety", "depression"]
