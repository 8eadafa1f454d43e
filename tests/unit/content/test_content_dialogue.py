"""Dialogue lines: every list is there and varied, placeholders fill, and no line says what Haven must not."""

from __future__ import annotations

import re

import pytest

from haven.conversation import content

SAMPLE = {
    "mood": 4, "feeling": "on edge", "topic_phrase": "your job", "title": "Box breathing",
    "summary": "A short exercise.", "reason": "it can help", "minutes": 3, "before": 3, "after": 5,
}


def lines():
    """Every (where, line) in the dialogue files."""
    for stem, keys in content.dialogue().items():
        for key, value in keys.items():
            if isinstance(value, list):
                for i, line in enumerate(value):
                    yield f"{stem}.{key}[{i}]", line
            else:
                for group, values in value.items():
                    for i, line in enumerate(values):
                        yield f"{stem}.{key}.{group}[{i}]", line


def test_the_dialogue_validates():
    assert content.validate() == []


def test_every_file_and_key_is_there():
    d = content.dialogue()
    assert set(d) == {"checkin", "listening", "offering", "closing", "fallback"}
    for stem, schema in content.DIALOGUE_SCHEMA.items():
        assert set(d[stem]) == set(schema), stem


@pytest.mark.parametrize(("stem", "key"), [(s, k) for s, ks in content.DIALOGUE_SCHEMA.items() for k in ks])
def test_each_list_has_enough_different_variants(stem, key):
    shape, _, _, least = content.DIALOGUE_SCHEMA[stem][key]
    value = content.dialogue()[stem][key]
    groups = {"": value} if shape == content.LIST else value
    for group, variants in groups.items():
        assert len(variants) >= least, (stem, key, group)
        assert len({v.lower() for v in variants}) == len(variants), (stem, key, group)
        if key not in ("feeling_words", "topic_phrases"):
            assert len(variants) >= 6, (stem, key, group)


def test_listening_covers_every_emotion_group_label_and_topic():
    listening = content.dialogue()["listening"]
    assert set(listening["reflect_emotion"]) == set(content.EKMAN)
    assert set(listening["feeling_words"]) == content.EMOTIONS - {"neutral"}
    assert all(2 <= len(w) <= 4 for w in listening["feeling_words"].values())
    assert set(listening["topic_phrases"]) == content.TOPICS
    assert all(2 <= len(p) <= 4 for p in listening["topic_phrases"].values())
    assert set(listening["reflect_topic"]) == content.TOPICS
    assert set(listening["open_questions"]) == content.TOPICS | {"general"}
    # Every GoEmotions label (but neutral) sits in exactly one Ekman group.
    labels = [label for group in content.EKMAN.values() for label in group]
    assert sorted(labels) == sorted(content.EMOTIONS - {"neutral"})


def test_topic_phrases_are_only_used_after_about_in_emotion_reflections():
    for group, variants in content.dialogue()["listening"]["reflect_emotion"].items():
        for line in variants:
            if "{topic_phrase}" in line:
                assert "about {topic_phrase}" in line, (group, line)
        assert any("{topic_phrase}" not in line for line in variants), "lines without a topic are needed too"


def test_every_open_question_is_one_question():
    for group, questions in content.dialogue()["listening"]["open_questions"].items():
        for q in questions:
            assert q.count("?") == 1 and q.rstrip().endswith("?"), (group, q)


@pytest.mark.parametrize(("where", "line"), list(lines()), ids=lambda v: v if isinstance(v, str) and "[" in v else "")
def test_every_line_fills_and_says_nothing_haven_must_not(where, line):
    filled = line.format(**SAMPLE)
    assert "{" not in filled and "}" not in filled
    assert content.banned_phrase(line) is None, where
    lowered = line.lower()
    for phrase in ("i understand how you feel", "you will feel better", "this will fix", "guarantee", "i promise",
                   "medication", "medicine", "pills", "reviewed"):
        assert phrase not in lowered, (where, phrase)


def test_the_first_welcome_always_says_who_haven_is_and_where_help_is():
    for line in content.dialogue()["checkin"]["welcome_first_time"]:
        lowered = line.lower()
        assert "haven" in lowered and "/help" in lowered and "encrypt" in lowered
        assert re.search(r"not a (human|person)|not a human|program, not a person|software, not a human|not human", lowered), line
        assert "emergenc" in lowered or "crisis" in lowered or "urgent" in lowered, line


def test_a_worse_mood_offers_human_help():
    for line in content.dialogue()["closing"]["mood_worse"]:
        assert "/help" in line and "{after}" in line
        assert re.search(r"someone|person|professional|gp|people", line.lower()), line


def test_not_english_points_to_crisis_lines():
    for line in content.dialogue()["fallback"]["not_english"]:
        assert "english" in line.lower() and "/help" in line


def test_every_offer_says_why_it_was_chosen():
    for line in content.dialogue()["offering"]["offer"]:
        assert "because {reason}" in line and "{title}" in line


def test_mood_lines_ask_for_zero_to_ten():
    for key in ("ask_mood",):
        for line in content.dialogue()["checkin"][key]:
            assert "0" in line and "10" in line
    for line in content.dialogue()["closing"]["ask_mood_again"]:
        assert "0" in line and "10" in line
    for line in content.dialogue()["closing"]["ask_helped"]:
        assert "yes" in line.lower() and "no" in line.lower() and "a bit" in line.lower()


def test_the_validator_reports_missing_keys_short_lists_and_bad_placeholders(monkeypatch):
    real = dict(content._yaml_files("dialogue"))
    broken = {**real, "checkin": {**real["checkin"], "ask_mood": ["Only one?"], "mood_ack_low": ["{mod} is low"] * 6},
              "closing": {k: v for k, v in real["closing"].items() if k != "goodbye"}, "extra": {"x": ["y"]}}
    monkeypatch.setattr(content, "_yaml_files", lambda folder: sorted(broken.items()) if folder == "dialogue" else [])
    problems = "\n".join(content._validate_dialogue())
    assert "checkin.yaml: ask_mood: 1 variant(s), at least 6 needed" in problems
    assert "unknown placeholder(s) ['mod']" in problems and "repeated variants" in problems
    assert "closing.yaml: goodbye: missing" in problems
    assert "extra.yaml: not a known dialogue file" in problems


def test_banned_phrases_are_caught_in_any_case_and_mg_only_as_a_word():
    assert content.banned_phrase("I Understand Exactly how that is") == "i understand exactly"
    assert content.banned_phrase("Take 50mg") and content.banned_phrase("take 5 mg")
    assert content.banned_phrase("I\u2019m a therapist") == "i'm a therapist"
    assert content.banned_phrase("among the programme's aims") is None
