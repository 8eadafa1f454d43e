"""The dialogue manager: an explicit state machine over reviewed content. Pure: no database, no clock.

    check-in ──► listening ──► offering ──► exercise ──► closing ──► listening …
       (mood 0–10)  (reflect +     (one exercise,  (step by step;   (mood again,
                    one question)   with a reason)  skip/back/stop)  did it help?)

Safety protocols answer before this module is reached (see ``haven.conversation.service``).
Lines are picked from ``haven.content`` so that no line repeats while fresh ones remain.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass, field

from haven.conversation import content
from haven.conversation.lines import Picker, fill
from haven.nlu.service import Understanding

LISTENING_TURNS_BEFORE_OFFER = 2
WORD_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
CONTROL_REPLIES = {"info": ("Next", "Stop"), "text": ("Skip", "Go back", "Stop"), "scale": ("Skip", "Go back", "Stop")}


@dataclass
class DialogueState:
    """Everything the manager remembers within one conversation (stored sealed)."""

    phase: str = "new"  # new, checkin, listening, offering, exercise, closing_mood, closing_helped
    turn: int = 0
    first_conversation: bool = True
    mood_before: int | None = None
    mood_after: int | None = None
    listening_turns: int = 0
    offered: str | None = None
    declined: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    exercise: str | None = None
    step: int = 0
    answers: dict[str, str] = field(default_factory=dict)
    emotions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    last_reply: str = ""
    helped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DialogueState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class Reply:
    text: str
    quick_replies: tuple[str, ...] = ()
    exercise: dict | None = None
    protocol: str | None = None
    article: dict | None = None
    kind: str = "dialogue"  # which part of the manager answered, for tests and the reply's record


@dataclass
class Turn:
    """One member message as the manager sees it."""

    text: str
    understanding: Understanding
    article: dict | None = None  # the library's best match, looked up by the service when the member asks


def respond(state: DialogueState, turn: Turn, *, seed: int) -> Reply:
    """Advance ``state`` (in place) by one member message and return Haven's reply."""
    picker = Picker(state, random.Random(seed))
    state.turn += 1
    _remember(state, turn.understanding)
    reply = _route(state, turn, picker)
    if reply.text == state.last_reply:
        # Never the same reply twice in a row: ask for more in other words instead.
        reply = Reply(picker.line("fallback", "unclear"), reply.quick_replies, reply.exercise, kind=reply.kind)
    state.last_reply = reply.text
    return reply


def _remember(state: DialogueState, understanding: Understanding) -> None:
    state.emotions = ([e for e, _ in understanding.emotions] + state.emotions)[:6]
    if understanding.topic:
        state.topics = ([understanding.topic] + [t for t in state.topics if t != understanding.topic])[:4]


def _route(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    intent = turn.understanding.intent
    if not turn.understanding.english:
        return Reply(picker.line("fallback", "not_english"), kind="not_english")
    if state.phase == "exercise":
        return _exercise_turn(state, turn, picker)
    if state.phase == "new":
        return _welcome(state, turn, picker)
    if state.phase == "checkin":
        return _checkin(state, turn, picker)
    if state.phase == "closing_mood":
        return _closing_mood(state, turn, picker)
    if state.phase == "closing_helped":
        return _closing_helped(state, turn, picker)
    if intent == "question" and turn.article:
        return _article(state, turn, picker)
    if intent == "question":
        return Reply(picker.line("fallback", "question_no_article"), kind="question")
    if intent == "ask_exercise":
        return _start_requested_exercise(state, turn, picker)
    if intent == "goodbye":
        return _begin_closing(state, picker)
    if intent == "thanks" and state.phase != "offering":
        return Reply(picker.line("closing", "thanks_reply"), kind="thanks")
    if state.phase == "offering":
        return _offering(state, turn, picker)
    return _listen(state, turn, picker)


# ---------------------------------------------------------------- check-in


def parse_number(text: str, low: int, high: int) -> int | None:
    text = text.strip().lower()
    match = re.search(r"-?\d+", text)
    value = int(match.group()) if match else WORD_NUMBERS.get(text.split(" ")[0] if text else "")
    if value is None or not low <= value <= high:
        return None
    return value


def _welcome(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    key = "welcome_first_time" if state.first_conversation else "welcome_back"
    state.phase = "checkin"
    if turn.understanding.intent in ("venting", "question", "ask_exercise") and len(turn.text.split()) > 3:
        # They came with something on their mind: listen first, the mood question can wait.
        state.phase = "listening"
        reply = _route(state, turn, picker)
        reply.text = f"{picker.line('checkin', key)}\n\n{reply.text}"
        return reply
    return Reply(f"{picker.line('checkin', key)}\n\n{picker.line('checkin', 'ask_mood')}", ("Skip",), kind="checkin")


def _checkin(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    mood = parse_number(turn.text, 0, 10)
    if mood is None and turn.understanding.intent not in ("skip", "deny", "venting"):
        if len(turn.text.split()) <= 3:
            return Reply(picker.line("checkin", "not_a_number"), ("Skip",), kind="checkin")
    state.phase = "listening"
    if mood is None:
        return _listen(state, turn, picker)
    state.mood_before = mood
    band = "mood_ack_low" if mood <= 3 else "mood_ack_mid" if mood <= 6 else "mood_ack_high"
    question = picker.line("listening", "open_questions", "general")
    return Reply(f"{fill(picker.line('checkin', band), mood=mood)} {question}", kind="checkin")


# ---------------------------------------------------------------- listening and offering


def _feeling_word(state: DialogueState, picker: Picker) -> tuple[str | None, str | None]:
    words = content.dialogue()["listening"]["feeling_words"]
    for emotion in state.emotions:
        if emotion in words:
            return picker.choice(words[emotion]), content.EKMAN_OF.get(emotion)
    return None, None


def _listen(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    state.phase = "listening"
    state.listening_turns += 1
    if state.listening_turns > LISTENING_TURNS_BEFORE_OFFER and _best_exercise(state):
        return _offer(state, picker, lead=_reflection(state, turn, picker))
    reflection = _reflection(state, turn, picker)
    topic = turn.understanding.topic
    question = picker.line("listening", "open_questions", topic if topic and _has_questions(topic) else "general")
    return Reply(f"{reflection} {question}", kind="listening")


def _has_questions(topic: str) -> bool:
    return topic in content.dialogue()["listening"]["open_questions"]


def _reflection(state: DialogueState, turn: Turn, picker: Picker) -> str:
    listening = content.dialogue()["listening"]
    topic = turn.understanding.topic
    topic_phrase = picker.choice(listening["topic_phrases"][topic]) if topic in listening["topic_phrases"] else None
    feeling, group = _feeling_word(state, picker) if turn.understanding.emotions else (None, None)
    if feeling and group in listening["reflect_emotion"]:
        lines = listening["reflect_emotion"][group]
        usable = [i for i, line in enumerate(lines) if topic_phrase or "{topic_phrase}" not in line]
        if usable:
            return fill(picker.line("listening", "reflect_emotion", group, among=usable), feeling=feeling, topic_phrase=topic_phrase)
    if topic_phrase and topic in listening["reflect_topic"]:
        return fill(picker.line("listening", "reflect_topic", topic), topic_phrase=topic_phrase)
    return picker.line("listening", "reflect_generic")


def _best_exercise(state: DialogueState, exclude: tuple[str, ...] = ()) -> content.Exercise | None:
    """The exercise that fits this conversation's emotions and topics best, among those not yet declined or done."""
    skip = set(state.declined) | set(state.completed) | set(exclude)
    scored = []
    for exercise in content.exercises().values():
        if exercise.id in skip:
            continue
        score = 2 * len(exercise.emotions & set(state.emotions[:3])) + 2 * len(exercise.topics & set(state.topics[:2]))
        scored.append((score, exercise.id, exercise))
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored[0][2]


def _offer(state: DialogueState, picker: Picker, *, lead: str = "", exclude: tuple[str, ...] = ()) -> Reply:
    exercise = _best_exercise(state, exclude)
    if exercise is None:
        return Reply(f"{lead} {picker.line('listening', 'open_questions', 'general')}".strip(), kind="listening")
    state.phase, state.offered = "offering", exercise.id
    offer = fill(picker.line("offering", "offer"), title=exercise.title, summary=exercise.summary,
                 reason=exercise.offer_reason, minutes=exercise.minutes)
    return Reply(f"{lead} {offer}".strip(), ("Yes, let's try it", "Something else", "Not now"), kind="offering")


def _offering(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    intent, text = turn.understanding.intent, turn.text.lower()
    if "something else" in text or "another" in text or "different" in text:
        state.declined.append(state.offered)
        return _offer(state, picker)
    if intent in ("affirm", "feedback_positive") or text.startswith(("yes", "ok", "sure", "let's")):
        return _start_exercise(state, content.exercises()[state.offered], picker)
    if intent in ("deny", "stop", "skip") or text.startswith(("no", "not now")):
        state.declined.append(state.offered)
        state.phase, state.offered, state.listening_turns = "listening", None, 0
        return Reply(picker.line("offering", "offer_declined"), kind="offering")
    return _listen(state, turn, picker)


def _start_requested_exercise(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    named = find_exercise_named(turn.text)
    if named:
        return _start_exercise(state, named, picker)
    return _offer(state, picker, lead=picker.line("offering", "ask_which_exercise"))


def find_exercise_named(text: str) -> content.Exercise | None:
    lowered = text.lower()
    for exercise in content.exercises().values():
        words = [exercise.title.lower(), exercise.id.replace("_", " "), *exercise.id.split("_")[:1]]
        if any(len(w) > 3 and w in lowered for w in words):
            return exercise
    return None


def _article(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    article = turn.article
    text = fill(picker.line("fallback", "article_found"), title=article["title"], summary=article["summary"])
    return Reply(text, article=article, kind="article")


# ---------------------------------------------------------------- exercises


def _exercise_payload(state: DialogueState, exercise: content.Exercise) -> dict:
    return {"id": exercise.id, "step": state.step + 1, "of": len(exercise.steps)}


def _start_exercise(state: DialogueState, exercise: content.Exercise, picker: Picker) -> Reply:
    state.phase, state.exercise, state.step, state.offered = "exercise", exercise.id, 0, None
    state.answers = {}
    lead = fill(picker.line("offering", "exercise_started"), title=exercise.title)
    reply = _step_reply(state, exercise)
    reply.text = f"{lead}\n\n{reply.text}"
    return reply


def _step_reply(state: DialogueState, exercise: content.Exercise, lead: str = "") -> Reply:
    step = exercise.steps[state.step]
    prompt = content.render_prompt(step, state.answers)
    if step.kind == "choice":
        quick = (*step.options, "Stop")
    elif step.kind == "info":
        quick = (*(step.quick_replies or ("Next",)), "Stop")
    else:
        quick = (*step.quick_replies, *CONTROL_REPLIES[step.kind])
    return Reply(f"{lead} {prompt}".strip(), tuple(dict.fromkeys(quick)), _exercise_payload(state, exercise), kind="exercise")


def _control(turn: Turn) -> str | None:
    """stop / back / skip, when the message is a short command rather than an answer that happens to use the words."""
    if turn.understanding.intent in ("stop", "back", "skip") and len(turn.text.split()) <= 4:
        return turn.understanding.intent
    return None


def _matching_option(step: content.Step, text: str) -> str | None:
    lowered = text.strip().lower()
    if not lowered:
        return None
    return next((o for o in step.options if o.lower() == lowered), None) or next(
        (o for o in step.options if o.lower().startswith(lowered) or lowered.startswith(o.lower())), None)


def _exercise_turn(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    exercise = content.exercises()[state.exercise]
    step = exercise.steps[state.step]
    text = turn.text.strip()
    chosen = _matching_option(step, text) if step.kind == "choice" else None
    # A step's own button ("Finish", "Ready") moves on, even when its word sounds like a command.
    own_button = text.lower() in {q.lower() for q in step.quick_replies}
    control = None if chosen or own_button else _control(turn)
    if control == "stop":
        return _finish_exercise(state, exercise, picker, stopped=True)
    if control == "back":
        state.step = max(0, state.step - 1)
        return _step_reply(state, exercise, picker.line("fallback", "went_back"))
    if control == "skip":
        # On an information step "skip" and "next" mean the same: move on without comment.
        lead = "" if step.kind == "info" else picker.line("fallback", "skipped_step")
        return _advance(state, exercise, picker, lead=lead)
    if step.kind == "scale":
        value = parse_number(text, step.min, step.max)
        if value is None:
            return _step_reply(state, exercise, f"Please give a number from {step.min} to {step.max}, or say skip.")
        state.answers[step.key] = str(value)
    elif step.kind == "choice":
        if chosen is None:
            return _step_reply(state, exercise, "Please pick one of the options, or say skip.")
        state.answers[step.key] = chosen
    elif step.kind == "text":
        state.answers[step.key] = text[:1000]
    return _advance(state, exercise, picker)


def _advance(state: DialogueState, exercise: content.Exercise, picker: Picker, lead: str = "") -> Reply:
    state.step += 1
    if state.step >= len(exercise.steps):
        return _finish_exercise(state, exercise, picker, stopped=False, lead=lead)
    return _step_reply(state, exercise, lead)


def _finish_exercise(state: DialogueState, exercise: content.Exercise, picker: Picker, *, stopped: bool, lead: str = "") -> Reply:
    if not stopped:
        state.completed.append(exercise.id)
    state.exercise, state.step = None, 0
    text = fill(picker.line("fallback", "stopped_exercise"), title=exercise.title) if stopped else lead
    closing = _begin_closing(state, picker, exercise_id=exercise.id)
    closing.text = f"{text} {closing.text}".strip()
    return closing


# ---------------------------------------------------------------- closing


def _begin_closing(state: DialogueState, picker: Picker, exercise_id: str | None = None) -> Reply:
    state.helped["pending"] = exercise_id or ""
    state.phase = "closing_mood"
    return Reply(picker.line("closing", "ask_mood_again"), ("Skip",), kind="closing")


def _closing_mood(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    mood = parse_number(turn.text, 0, 10)
    if mood is None and turn.understanding.intent not in ("skip", "deny", "stop"):
        return Reply(picker.line("checkin", "not_a_number"), ("Skip",), kind="closing")
    state.mood_after = mood
    text = ""
    if mood is not None and state.mood_before is not None:
        change = "mood_better" if mood > state.mood_before else "mood_worse" if mood < state.mood_before else "mood_same"
        text = fill(picker.line("closing", change), before=state.mood_before, after=mood)
    state.phase = "closing_helped"
    return Reply(f"{text} {picker.line('closing', 'ask_helped')}".strip(), ("Yes", "A bit", "Not really"), kind="closing")


def _closing_helped(state: DialogueState, turn: Turn, picker: Picker) -> Reply:
    exercise_id = state.helped.pop("pending", "")
    answer = turn.text.strip().lower()
    rating = "yes" if answer.startswith(("yes", "it did", "really")) else "a_bit" if "bit" in answer or "little" in answer else "no"
    if exercise_id:
        state.helped[exercise_id] = rating
    state.phase, state.listening_turns = "listening", 0
    if state.mood_after is not None:
        state.mood_before, state.mood_after = state.mood_after, None
    return Reply(picker.line("closing", "goodbye"), kind="closing")
