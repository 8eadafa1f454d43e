"""Scripted conversations: each exercise end to end with free-text answers; stop and go back everywhere."""

from __future__ import annotations

import pytest

from haven.conversation import content

ANSWERS = {
    "text": "I keep thinking I will mess it up at work tomorrow",
    "scale": "40",
}


def _answer(step: dict, exercise) -> str:
    spec = exercise.steps[step["step"] - 1]
    if spec.kind == "choice":
        return spec.options[0].lower()
    if spec.kind == "info":
        return spec.quick_replies[0].lower() if spec.quick_replies else "next"
    return ANSWERS[spec.kind]


def _start(chat, exercise) -> dict:
    chat.say("hi")
    chat.say("5")
    body = chat.say(f"can we do the {exercise.title.lower()} exercise please")
    assert body["reply"]["exercise"] is not None, body
    assert body["reply"]["exercise"]["id"] == exercise.id
    assert body["reply"]["exercise"]["step"] == 1
    return body


@pytest.mark.parametrize("exercise_id", sorted(content.exercises()))
def test_a_member_completes_each_exercise_with_free_text(start_chat, exercise_id):
    exercise = content.exercises()[exercise_id]
    chat = start_chat()
    body = _start(chat, exercise)
    seen_steps = []
    while body["reply"]["exercise"]:
        assert len(seen_steps) <= 3 * len(exercise.steps), f"stuck at {body['reply']}"
        step = body["reply"]["exercise"]
        seen_steps.append(step["step"])
        assert step["of"] == len(exercise.steps)
        body = chat.say(_answer(step, exercise))
    assert seen_steps == list(range(1, len(exercise.steps) + 1))
    # Closing: mood again, then whether it helped.
    assert body["reply"]["quick_replies"] == ["Skip"]
    body = chat.say("7")
    assert "Yes" in body["reply"]["quick_replies"]
    chat.say("yes it did")
    texts = [r["reply"]["text"] for r in chat.replies]
    assert all(a != b for a, b in zip(texts, texts[1:])), "a reply was sent twice in a row"
    assert not any("…" in t or "{" in t for t in texts), "a placeholder was left unfilled"


@pytest.mark.parametrize("exercise_id", sorted(content.exercises()))
def test_stop_and_go_back_work_at_every_step(start_chat, exercise_id):
    exercise = content.exercises()[exercise_id]
    for stop_at in range(1, len(exercise.steps) + 1):
        chat = start_chat()
        body = _start(chat, exercise)
        for _ in range(3 * len(exercise.steps)):
            if body["reply"]["exercise"]["step"] >= stop_at:
                break
            body = chat.say(_answer(body["reply"]["exercise"], exercise))
        if stop_at > 1:
            back = chat.say("go back")
            assert back["reply"]["exercise"]["step"] == stop_at - 1
            body = chat.say(_answer(back["reply"]["exercise"], exercise))
            assert body["reply"]["exercise"]["step"] == stop_at
        stopped = chat.say("stop")
        assert stopped["reply"]["exercise"] is None
        assert "{" not in stopped["reply"]["text"]
        assert stopped["safety"]["protocol"] is None


def test_skip_moves_on_without_an_answer(start_chat):
    exercise = content.exercises()["thought_record"]
    chat = start_chat()
    body = _start(chat, exercise)
    first = body["reply"]["exercise"]["step"]
    body = chat.say("skip")
    assert body["reply"]["exercise"]["step"] == first + 1


def test_a_conversation_never_repeats_a_reply_in_a_row(start_chat):
    chat = start_chat()
    for text in ["hi", "4", "I feel so alone lately", "nobody calls me", "I feel so alone lately", "I feel so alone lately",
                 "not now", "I don't know", "I don't know", "I don't know", "thanks", "thanks", "bye", "5", "no", "hello"]:
        chat.say(text)
    texts = [r["reply"]["text"] for r in chat.replies]
    assert all(a != b for a, b in zip(texts, texts[1:]))
