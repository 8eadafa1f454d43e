"""The interim safety gate: explicit statements are caught; negation, the past, other people and idioms are not crises."""

from __future__ import annotations

import pytest

from haven.safety import assess, help_lines, screen_output
from haven.safety.service import protocol_reply


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I want to kill myself", "high"),
        ("i want to die", "high"),
        ("I keep thinking about suicide", "high"),
        ("I'm going to end my life tonight", "imminent"),
        ("I have the pills in front of me", "none"),  # no explicit statement: the graded model's job
        ("I've got the pills here and I want to die", "imminent"),
        ("I'm going to kill myself on friday, I have a rope", "high"),
        ("I wish I was dead", "low"),
        ("I don't want to wake up anymore", "low"),
        ("everyone would be better off without me", "low"),
        ("I’m suicidal", "high"),
        ("I've been cutting myself again", "moderate"),
    ],
)
def test_explicit_statements_are_graded(text, level):
    assert assess(text).level == level, assess(text)


@pytest.mark.parametrize(
    "text",
    ["I would never kill myself", "this exam is killing me", "I could kill for a coffee", "I'm dying to see the film",
     "I'm tired of work", "hello", ""],
)
def test_negation_and_idioms_are_not_crises(text):
    assert assess(text).protocol is None


def test_the_past_is_not_a_crisis_now():
    result = assess("I tried to kill myself years ago, I'm doing much better now")
    assert result.level == "low" and "past_only" in result.signals and result.protocol is None


def test_a_worried_friend_gets_support_not_a_crisis():
    result = assess("my friend says she wants to kill herself")
    assert result.protocol == "worried_other" and result.level == "none"


def test_preparation_is_the_top_of_the_scale():
    result = assess("I've written letters to everyone and given my cat away, I want to die")
    assert result.severity == 6 and result.level == "high"


def test_signals_are_codes_never_the_members_words():
    result = assess("I want to kill myself with pills tonight")
    assert all(s.isidentifier() for s in result.signals)


def test_crisis_replies_carry_the_countrys_lines():
    reply = protocol_reply(assess("I want to kill myself"), "GB")
    assert "116 123" in reply and "999" in reply
    assert "988" in protocol_reply(assess("I want to kill myself"), "US")
    assert "findahelpline.com" in protocol_reply(assess("I want to kill myself"), "ZZ")


def test_help_lines_fall_back_to_the_directory():
    assert help_lines(None)["country"] is None
    assert help_lines("gb")["country"] == "GB"


@pytest.mark.parametrize(
    "text",
    ["Take 20 pills", "You have depression.", "I'm a therapist, trust me", "Try a calorie deficit", "Here is how to cut deeper"],
)
def test_the_output_screen_refuses_harmful_replies(text):
    assert screen_output(text) is None


def test_the_output_screen_removes_links_images_and_tags():
    cleaned = screen_output("Hello ![x](https://evil.example/?q=secret) see [this](https://evil.example) <script>alert(1)</script>www.evil.example ok")
    assert "evil" not in cleaned and "<script>" not in cleaned and "![" not in cleaned
    assert cleaned.startswith("Hello") and "this" in cleaned


def test_a_wish_to_be_dead_gets_a_safety_check():
    assert assess("I wish I was dead").protocol == "safety_check"
