"""The reviewed table of control words: whole messages only, normalised, unambiguous."""

from __future__ import annotations

import pytest

from haven.nlu.intent import INTENTS, RULES, normalise, rule


def test_every_rule_names_a_known_intent_and_no_phrase_has_two():
    assert set(RULES) <= set(INTENTS)
    phrases = [p for ps in RULES.values() for p in ps]
    assert len(phrases) == len(set(phrases))
    assert all(p == normalise(p) for p in phrases), "table phrases are written normalised"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("stop", "stop"),
        ("Stop!", "stop"),
        ("  STOP  ", "stop"),
        ("stop please", "stop"),
        ("quit", "stop"),
        ("skip", "skip"),
        ("Skip.", "skip"),
        ("next", "skip"),
        ("back", "back"),
        ("go back", "back"),
        ("Go back!", "back"),
        ("yes", "affirm"),
        ("Yes!!", "affirm"),
        ("ok", "affirm"),
        ("Okay :)", "affirm"),
        ("no", "deny"),
        ("No.", "deny"),
        ("nope", "deny"),
        ("bye", "goodbye"),
        ("Bye!", "goodbye"),
        ("good night", "goodbye"),
        ("thanks", "thanks"),
        ("Thank you!", "thanks"),
        ("thank you so much", "thanks"),
        ("hi", "greeting"),
        ("Hello!", "greeting"),
        ("let’s do it", "affirm"),
    ],
)
def test_control_words_go_by_the_table(text, intent):
    assert rule(text) == intent


@pytest.mark.parametrize(
    "text",
    [
        "I can't stop crying",
        "stop telling me to breathe, it doesn't work",
        "no one cares about me",
        "yes but I still feel awful",
        "thanks for nothing, that made it worse",
        "my back hurts",
        "what's next for me in life",
        "hi, my boss fired me today",
        "",
        "stop " * 20,
    ],
)
def test_longer_messages_are_left_to_the_model(text):
    assert rule(text) is None
