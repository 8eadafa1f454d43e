"""Guided exercises: the schema holds, every prompt is safe to show, answers are quoted back safely."""

from __future__ import annotations

import re

import pytest

from haven.conversation import content
from haven.conversation.content import Step

REQUIRED = {
    "thought_record", "behavioural_activation", "grounding_54321", "box_breathing", "worry_time",
    "self_compassion_break", "sleep_hygiene_check", "problem_solving",
}
REVIEW = re.compile(r"^(draft - awaiting clinical review|reviewed \d{4}-\d{2}-\d{2} by .+)$")


def all_exercises():
    return list(content.exercises().values())


def test_the_content_validates():
    assert content.validate() == []


def test_the_content_version_is_year_month_number():
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", content.content_version())


def test_every_required_exercise_is_there():
    assert REQUIRED <= set(content.exercises())
    assert len(content.exercises()) >= 8


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_each_exercise_is_complete_sourced_and_honest_about_review(exercise):
    assert len(exercise.steps) >= 3
    assert exercise.sources and all(len(s) > 20 for s in exercise.sources)
    assert REVIEW.match(exercise.review), exercise.review
    assert exercise.steps[-1].id == "done" and exercise.steps[-1].kind == "info"
    assert exercise.emotions <= content.EMOTIONS and exercise.topics <= content.TOPICS
    assert not exercise.offer_reason.endswith(".")


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_placeholders_only_name_answers_from_earlier_steps(exercise):
    earlier: set[str] = set()
    for step in exercise.steps:
        assert content.placeholders(step.prompt) <= earlier, step.id
        if step.fallback:
            assert not content.placeholders(step.fallback)
        if content.placeholders(step.prompt):
            assert step.fallback, f"{exercise.id}.{step.id} needs a fallback for a skipped answer"
        if step.key:
            earlier.add(step.key)


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_prompt_renders_with_all_answers_and_with_none(exercise):
    answers = {}
    for step in exercise.steps:
        assert "{" not in content.render_prompt(step, answers)
        if step.key:
            answers[step.key] = step.options[0] if step.options else (step.min if step.kind == "scale" else "an answer")
    for step in exercise.steps:
        assert "{" not in content.render_prompt(step, {})


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_the_steps_are_well_formed_for_the_engine(exercise):
    for step in exercise.steps:
        if step.kind != "text":
            assert step.quick_replies, "info, scale and choice steps offer at least one button"
        assert not {r.lower() for r in step.quick_replies} & {"skip", "back", "stop"}
        if step.kind == "scale":
            assert step.min is not None and step.max is not None and step.min < step.max
        if step.kind == "choice":
            assert len(step.options) >= 2 and step.quick_replies == step.options
        if step.kind == "info":
            assert step.key is None


def test_the_thought_record_rates_the_emotion_before_and_after_on_0_to_100():
    steps = {s.id: s for s in content.exercises()["thought_record"].steps}
    keys = [s.key for s in content.exercises()["thought_record"].steps if s.key]
    assert keys == ["situation", "automatic_thought", "emotion", "emotion_before", "evidence_for",
                    "evidence_against", "balanced_thought", "emotion_after"]
    for sid in ("emotion_before", "emotion_after"):
        assert (steps[sid].kind, steps[sid].min, steps[sid].max) == ("scale", 0, 100)


def test_box_breathing_paces_four_even_counts_and_waits_for_the_member():
    exercise = content.exercises()["box_breathing"]
    rounds = [s for s in exercise.steps if s.id.startswith("round_")]
    assert len(rounds) >= 3
    for step in rounds:
        assert step.prompt.count("4") >= 4 or "in, hold, out, hold" in step.prompt.lower()
        assert "tell me when you're done" in step.prompt.lower() and step.quick_replies == ("Done",)
    assert "light-headed" in " ".join(s.prompt for s in exercise.steps)


def test_the_sleep_check_is_a_checklist_with_one_change_and_no_medicines():
    exercise = content.exercises()["sleep_hygiene_check"]
    choices = [s for s in exercise.steps if s.kind == "choice"]
    assert len(choices) >= 5 and any(s.key == "change" for s in choices)
    text = " ".join(s.prompt + " " + " ".join(s.options) for s in exercise.steps).lower()
    for word in ("melatonin", "pill", "sleeping tablet", "supplement", "sleeping aid", "medication", "medicine"):
        assert word not in text
    assert "gp" in text


def test_behavioural_activation_plans_what_when_obstacle_and_plan_b():
    keys = {s.key for s in content.exercises()["behavioural_activation"].steps}
    assert {"activity", "when", "obstacle", "plan_b"} <= keys


def test_problem_solving_walks_the_five_stages():
    keys = [s.key for s in content.exercises()["problem_solving"].steps if s.key]
    for stage in ("problem", "ideas", "pros_cons", "chosen", "first_step"):
        assert stage in keys
    assert keys.index("problem") < keys.index("ideas") < keys.index("pros_cons") < keys.index("chosen") < keys.index("first_step")


def test_every_intro_tells_the_member_they_can_stop():
    for exercise in all_exercises():
        intro = exercise.steps[0].prompt.lower()
        assert '"stop"' in intro or '"skip"' in intro, exercise.id


def test_render_prompt_quotes_answers_and_shortens_long_ones():
    step = Step(id="s", kind="info", prompt='You wrote: "{thought}".', fallback="You wrote something.")
    assert content.render_prompt(step, {"thought": "I always fail"}) == 'You wrote: "I always fail".'
    long = content.render_prompt(step, {"thought": "x" * 500})
    assert len(long) < 250 and long.endswith('…".')
    assert content.render_prompt(step, {}) == "You wrote something."
    assert content.render_prompt(step, {"thought": ""}) == "You wrote something."
    # An answer that itself looks like a placeholder is inserted as plain text, not expanded.
    assert content.render_prompt(step, {"thought": "{thought} {0}"}) == 'You wrote: "{thought} {0}".'


def test_the_validator_reports_broken_exercises(monkeypatch):
    good = {
        "id": "demo", "version": 1, "title": "Demo", "summary": "A demo.", "offer_reason": "it is a demo",
        "good_for": {"emotions": ["fear"], "topics": ["work"]}, "minutes": 3,
        "sources": ["Someone. A real book. Publisher; 2020"], "review": "draft - awaiting clinical review",
        "steps": [
            {"id": "intro", "kind": "info", "prompt": "Hello."},
            {"id": "ask", "kind": "text", "key": "answer", "prompt": "What?"},
            {"id": "done", "kind": "info", "prompt": "You said {answer}.", "fallback": "Thanks."},
        ],
    }
    broken = {
        **good, "id": "wrong_name", "minutes": 0, "offer_reason": "Capitalised and closed.",
        "good_for": {"emotions": ["hangry"], "topics": ["weather"]}, "sources": [],
        "steps": [
            {"id": "intro", "kind": "info", "prompt": "Before you answer, {later}."},
            {"id": "ask", "kind": "scale", "key": "answer", "prompt": "Rate it.", "min": 5, "max": 1},
            {"id": "pick", "kind": "choice", "key": "answer", "prompt": "Pick.", "options": ["skip"]},
            {"id": "dose", "kind": "info", "prompt": "Take 20 mg of something.", "extra": 1},
        ],
    }
    monkeypatch.setattr(content, "_yaml_files", lambda folder: [("demo", good), ("broken", broken)] if folder == "exercises" else [])
    problems = "\n".join(content._validate_exercises())
    assert "demo.yaml" not in problems
    for expected in (
        "id 'wrong_name' must match", "minutes", "offer_reason", "unknown emotion label(s) ['hangry']",
        "unknown topic id(s) ['weather']", "sources", "unknown placeholder(s) ['later']", "min < max",
        "already used", "at least 2 short options", "banned phrase", "unknown field(s) ['extra']",
        "last step must be the info step 'done'", "needs a fallback", "at least 8 expected",
    ):
        assert expected in problems, expected


def test_the_loader_refuses_to_serve_invalid_content(monkeypatch):
    monkeypatch.setattr(content, "validate", lambda: ["something is wrong"])
    content.exercises.cache_clear()
    try:
        with pytest.raises(ValueError, match="something is wrong"):
            content.exercises()
    finally:
        monkeypatch.undo()
        content.exercises.cache_clear()
