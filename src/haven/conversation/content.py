"""Reviewed conversation content: guided exercises and dialogue lines, loaded and checked.

The text lives as data in ``haven.content`` (``exercises/*.yaml``, ``dialogue/*.yaml``,
``VERSION``) so clinicians can review it in a pull request without reading Python. This
module loads it with ``yaml.safe_load`` only, turns exercises into frozen dataclasses, and
``validate()`` lists every problem it finds (schema, placeholders, vocabulary, sources).

    exercises()        -> {id: Exercise}             cached
    dialogue()         -> {file stem: {key: ...}}    cached, e.g. dialogue()["checkin"]["ask_mood"]
    content_version()  -> "2026.11.1"
    validate()         -> [problem, ...]             empty when all is well
    render_prompt(step, answers) -> str              fills {keys}; uses the step's fallback if one was skipped
    placeholders(text) -> set of names               what a line needs before it can be used
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from collections.abc import Mapping

import yaml

PACKAGE = "haven.content"

# The 27 GoEmotions labels plus neutral (Demszky et al., 2020), as the emotion model emits them.
EMOTIONS = frozenset({
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
})
# GoEmotions' own mapping of its labels onto Ekman's six groups.
EKMAN = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": ("joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
            "pride", "admiration", "desire", "caring"),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
}
EKMAN_OF = {label: group for group, labels in EKMAN.items() for label in labels}
TOPICS = frozenset({
    "work", "sleep", "relationships", "family", "study", "health", "loneliness", "money", "grief",
    "self_worth", "anxiety", "mood",
})
STEP_KINDS = ("info", "text", "scale", "choice")
# Words a reviewed line must never contain (matched case-insensitively; "mg" as a whole word).
BANNED = ("i understand exactly", "diagnos", "dose", "calorie", "you should take", "i am a human",
          "i'm a human", "i'm a therapist", "i am a therapist", "weight loss", "lose weight", "kcal")
BANNED_WORDS = re.compile(r"\b\d*\s*mg\b", re.IGNORECASE)
QUOTE_LIMIT = 200  # longest member answer quoted back inside a prompt


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    prompt: str
    key: str | None = None
    min: int | None = None
    max: int | None = None
    options: tuple[str, ...] = ()
    quick_replies: tuple[str, ...] = ()
    # Said instead of `prompt` when an answer it quotes was skipped; has no placeholders.
    fallback: str | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    version: int
    title: str
    summary: str
    offer_reason: str
    emotions: frozenset[str]
    topics: frozenset[str]
    minutes: int
    sources: tuple[str, ...]
    review: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


# --- Loading ----------------------------------------------------------------------------------


def _root():
    return resources.files(PACKAGE)


def _yaml_files(folder: str) -> list[tuple[str, Any]]:
    entries = sorted((p for p in _root().joinpath(folder).iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    return [(p.name[: -len(".yaml")], yaml.safe_load(p.read_text(encoding="utf-8"))) for p in entries]


def content_version() -> str:
    return _root().joinpath("VERSION").read_text(encoding="utf-8").strip()


@cache
def exercises() -> dict[str, Exercise]:
    """Every exercise, by id. Raises ValueError when the content does not validate."""
    problems = validate()
    if problems:
        raise ValueError("Haven's content does not validate:\n- " + "\n- ".join(problems))
    return {raw["id"]: _exercise(raw) for _, raw in _yaml_files("exercises")}


@cache
def dialogue() -> dict[str, Any]:
    """Dialogue lines by file stem, then key. Raises ValueError when the content does not validate."""
    problems = validate()
    if problems:
        raise ValueError("Haven's content does not validate:\n- " + "\n- ".join(problems))
    return {stem: raw for stem, raw in _yaml_files("dialogue")}


def _exercise(raw: dict) -> Exercise:
    good_for = raw.get("good_for") or {}
    return Exercise(
        id=raw["id"], version=raw["version"], title=raw["title"], summary=raw["summary"],
        offer_reason=raw["offer_reason"], emotions=frozenset(good_for.get("emotions") or ()),
        topics=frozenset(good_for.get("topics") or ()), minutes=raw["minutes"], sources=tuple(raw["sources"]),
        review=raw["review"], steps=tuple(_step(s) for s in raw["steps"]),
    )


def _step(raw: dict) -> Step:
    kind = raw["kind"]
    replies = raw.get("quick_replies")
    if replies is None:
        replies = ["Next"] if kind == "info" else (raw.get("options") or [])
    return Step(
        id=raw["id"], kind=kind, prompt=raw["prompt"].strip(), key=raw.get("key"), min=raw.get("min"),
        max=raw.get("max"), options=tuple(raw.get("options") or ()), quick_replies=tuple(replies),
        fallback=(raw.get("fallback") or "").strip() or None,
    )


# --- Using ------------------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """The {names} a line uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def render_prompt(step: Step, answers: Mapping[str, object]) -> str:
    """The step's prompt with earlier answers filled in; its fallback when one of them is missing.

    Answers are inserted as plain text (pages escape them); long ones are shortened.
    """
    needed = placeholders(step.prompt)
    if any(answers.get(name) in (None, "") for name in needed):
        return step.fallback or step.prompt.format(**{n: "…" for n in needed})
    values = {}
    for name in needed:
        value = str(answers[name]).strip()
        values[name] = value if len(value) <= QUOTE_LIMIT else value[: QUOTE_LIMIT - 1].rstrip() + "…"
    return step.prompt.format(**values)


def banned_phrase(text: str) -> str | None:
    """The first banned phrase in the text, or None."""
    lowered = text.lower().replace("\u2019", "'")
    for phrase in BANNED:
        if phrase in lowered:
            return phrase
    match = BANNED_WORDS.search(text)
    return match.group(0) if match else None


# --- Validation -------------------------------------------------------------------------------

EXERCISE_FIELDS = {"id", "version", "title", "summary", "offer_reason", "good_for", "minutes", "sources", "review", "steps"}
STEP_FIELDS = {"id", "kind", "prompt", "key", "min", "max", "options", "quick_replies", "fallback"}
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")

# Dialogue: file -> key -> (shape, allowed placeholders, required placeholders, least variants).
# Shapes: "list" (of lines); "by_ekman", "by_topic", "by_emotion", "general_and_topics" (mappings of lists).
LIST = "list"


def _key(shape: str, allowed: str = "", required: str = "", least: int = 6):
    return (shape, frozenset(allowed.split()), frozenset(required.split()), least)


DIALOGUE_SCHEMA: dict[str, dict[str, tuple[str, frozenset[str], frozenset[str], int]]] = {
    "checkin": {
        "welcome_first_time": _key(LIST), "welcome_back": _key(LIST), "ask_mood": _key(LIST),
        "mood_ack_low": _key(LIST, "mood"), "mood_ack_mid": _key(LIST, "mood"), "mood_ack_high": _key(LIST, "mood"),
        "not_a_number": _key(LIST),
    },
    "listening": {
        "reflect_emotion": _key("by_ekman", "feeling topic_phrase", "feeling"),
        "reflect_topic": _key("by_topic", "topic_phrase", "topic_phrase"),
        "reflect_generic": _key(LIST),
        "open_questions": _key("general_and_topics"),
        "feeling_words": _key("by_emotion", least=2),
        "topic_phrases": _key("by_topic", least=2),
    },
    "offering": {
        "offer": _key(LIST, "title summary reason minutes", "title reason"),
        "offer_declined": _key(LIST), "ask_which_exercise": _key(LIST),
        "exercise_started": _key(LIST, "title", "title"),
    },
    "closing": {
        "ask_mood_again": _key(LIST), "ask_helped": _key(LIST),
        "mood_better": _key(LIST, "before after"), "mood_same": _key(LIST, "before after"),
        "mood_worse": _key(LIST, "before after"), "thanks_reply": _key(LIST), "goodbye": _key(LIST),
    },
    "fallback": {
        "not_english": _key(LIST), "empty_message": _key(LIST), "unclear": _key(LIST),
        "question_no_article": _key(LIST), "article_found": _key(LIST, "title summary", "title"),
        "stopped_exercise": _key(LIST, "title"), "skipped_step": _key(LIST), "went_back": _key(LIST),
    },
}
# Lines that must carry a fact, whichever variant is picked.
MUST_CONTAIN = {
    ("checkin", "welcome_first_time"): ("/help", "encrypt"),
    ("closing", "mood_worse"): ("/help",),
    ("fallback", "not_english"): ("/help",),
}
# Words and phrases (not whole lines) may be as short as a word and carry no placeholders.
MAX_PHRASE_WORDS = 5


def validate() -> list[str]:
    """Every problem in the exercises and dialogue text; empty when all is well."""
    problems: list[str] = []
    try:
        version = content_version()
        if not re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", version):
            problems.append(f"VERSION: {version!r} is not YEAR.MONTH.N")
    except FileNotFoundError:
        problems.append("VERSION: missing")
    problems += _validate_exercises()
    problems += _validate_dialogue()
    return problems


def _check_line(where: str, text: Any, allowed: frozenset[str], required: frozenset[str] = frozenset()) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: must be non-empty text"]
    problems = []
    try:
        names = placeholders(text)
    except ValueError as exc:
        return [f"{where}: broken placeholder ({exc})"]
    if unknown := names - allowed:
        problems.append(f"{where}: unknown placeholder(s) {sorted(unknown)}")
    if missing := required - names:
        problems.append(f"{where}: must use {sorted(missing)}")
    if phrase := banned_phrase(text):
        problems.append(f"{where}: contains banned phrase {phrase!r}")
    return problems


def _validate_exercises() -> list[str]:
    problems: list[str] = []
    try:
        files = _yaml_files("exercises")
    except (FileNotFoundError, yaml.YAMLError) as exc:
        return [f"exercises: cannot be read ({exc})"]
    if len(files) < 8:
        problems.append(f"exercises: {len(files)} found, at least 8 expected")
    seen: set[str] = set()
    for stem, raw in files:
        where = f"exercises/{stem}.yaml"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        if unknown := set(raw) - EXERCISE_FIELDS:
            problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
        if missing := EXERCISE_FIELDS - set(raw):
            problems.append(f"{where}: missing field(s) {sorted(missing)}")
            continue
        if raw["id"] != stem:
            problems.append(f"{where}: id {raw['id']!r} must match the file name")
        if raw["id"] in seen:
            problems.append(f"{where}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        if not isinstance(raw["version"], int) or isinstance(raw["version"], bool) or raw["version"] < 1:
            problems.append(f"{where}: version must be a whole number from 1")
        for field in ("title", "summary"):
            problems += _check_line(f"{where}: {field}", raw[field], frozenset())
        problems += _check_line(f"{where}: offer_reason", raw["offer_reason"], frozenset())
        if isinstance(raw["offer_reason"], str) and (raw["offer_reason"].rstrip().endswith(".") or raw["offer_reason"][:1].isupper()):
            problems.append(f"{where}: offer_reason completes a sentence: start lower-case, no full stop")
        if not isinstance(raw["minutes"], int) or not 2 <= raw["minutes"] <= 30:
            problems.append(f"{where}: minutes must be a whole number from 2 to 30")
        good_for = raw["good_for"] if isinstance(raw["good_for"], dict) else {}
        if set(good_for) != {"emotions", "topics"}:
            problems.append(f"{where}: good_for must have exactly emotions and topics")
        if bad := set(good_for.get("emotions") or ()) - EMOTIONS:
            problems.append(f"{where}: unknown emotion label(s) {sorted(bad)}")
        if bad := set(good_for.get("topics") or ()) - TOPICS:
            problems.append(f"{where}: unknown topic id(s) {sorted(bad)}")
        if not good_for.get("emotions") or not good_for.get("topics"):
            problems.append(f"{where}: good_for needs at least one emotion and one topic")
        sources = raw["sources"]
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and len(s) > 20 for s in sources):
            problems.append(f"{where}: sources must list at least one full citation")
        if not isinstance(raw["review"], str) or not raw["review"].strip():
            problems.append(f"{where}: review must say who reviewed it, or that it awaits review")
        problems += _validate_steps(where, raw["steps"])
    return problems


def _validate_steps(where: str, steps: Any) -> list[str]:
    if not isinstance(steps, list) or len(steps) < 3:
        return [f"{where}: needs at least 3 steps"]
    problems: list[str] = []
    ids: set[str] = set()
    keys: set[str] = set()
    for index, raw in enumerate(steps):
        if not isinstance(raw, dict):
            problems.append(f"{where}: step {index + 1} must be a mapping")
            continue
        sid = raw.get("id")
        here = f"{where}: step {sid or index + 1}"
        if unknown := set(raw) - STEP_FIELDS:
            problems.append(f"{here}: unknown field(s) {sorted(unknown)}")
        if not isinstance(sid, str) or not IDENT.match(sid):
            problems.append(f"{here}: id must be lower_snake_case")
        elif sid in ids:
            problems.append(f"{here}: duplicate step id")
        ids.add(sid)
        kind = raw.get("kind")
        if kind not in STEP_KINDS:
            problems.append(f"{here}: kind must be one of {', '.join(STEP_KINDS)}")
            continue
        prompt = raw.get("prompt")
        problems += _check_line(f"{here}: prompt", prompt, frozenset(keys))
        if isinstance(prompt, str) and len(prompt) > 700:
            problems.append(f"{here}: prompt is too long for one message")
        uses = placeholders(prompt) if isinstance(prompt, str) else set()
        fallback = raw.get("fallback")
        if uses and not fallback:
            problems.append(f"{here}: quotes an earlier answer, so it needs a fallback for when that was skipped")
        if fallback is not None:
            problems += _check_line(f"{here}: fallback", fallback, frozenset())
        key = raw.get("key")
        if kind == "info":
            if key is not None:
                problems.append(f"{here}: info steps store no answer (key must be null)")
        elif not isinstance(key, str) or not IDENT.match(key):
            problems.append(f"{here}: {kind} steps need a lower_snake_case key")
        elif key in keys:
            problems.append(f"{here}: key {key!r} is already used by an earlier step")
        else:
            keys.add(key)
        low, high = raw.get("min"), raw.get("max")
        if kind == "scale":
            if not (isinstance(low, int) and isinstance(high, int) and low < high):
                problems.append(f"{here}: scale steps need whole numbers min < max")
        elif low is not None or high is not None:
            problems.append(f"{here}: only scale steps have min and max")
        options = raw.get("options") or []
        if kind == "choice":
            if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) and 0 < len(o) <= 40 for o in options):
                problems.append(f"{here}: choice steps need at least 2 short options")
            elif len({o.lower() for o in options}) != len(options):
                problems.append(f"{here}: options must differ")
            elif {o.lower() for o in options} & {"skip", "back", "stop"}:
                problems.append(f"{here}: options must not be skip, back or stop (the engine owns those words)")
        elif options:
            problems.append(f"{here}: only choice steps have options")
        replies = raw.get("quick_replies")
        if replies is not None and (not isinstance(replies, list) or not all(isinstance(r, str) and 0 < len(r) <= 40 for r in replies)):
            problems.append(f"{here}: quick_replies must be a list of short labels")
    last = steps[-1] if isinstance(steps[-1], dict) else {}
    if last.get("id") != "done" or last.get("kind") != "info":
        problems.append(f"{where}: the last step must be the info step 'done'")
    return problems


def _validate_dialogue() -> list[str]:
    problems: list[str] = []
    try:
        files = dict(_yaml_files("dialogue"))
    except (FileNotFoundError, yaml.YAMLError) as exc:
        return [f"dialogue: cannot be read ({exc})"]
    for stem in sorted(set(files) - set(DIALOGUE_SCHEMA)):
        problems.append(f"dialogue/{stem}.yaml: not a known dialogue file")
    for stem, schema in DIALOGUE_SCHEMA.items():
        raw = files.get(stem)
        if not isinstance(raw, dict):
            problems.append(f"dialogue/{stem}.yaml: missing or not a mapping")
            continue
        if unknown := set(raw) - set(schema):
            problems.append(f"dialogue/{stem}.yaml: unknown key(s) {sorted(unknown)}")
        for key, (shape, allowed, required, least) in schema.items():
            where = f"dialogue/{stem}.yaml: {key}"
            if key not in raw:
                problems.append(f"{where}: missing")
                continue
            value = raw[key]
            if shape == LIST:
                problems += _check_list(where, value, allowed, required, least)
                for fact in MUST_CONTAIN.get((stem, key), ()):
                    for i, line in enumerate(value if isinstance(value, list) else []):
                        if isinstance(line, str) and fact not in line.lower():
                            problems.append(f"{where}[{i}]: must mention {fact!r}")
                continue
            groups = {
                "by_ekman": set(EKMAN), "by_topic": set(TOPICS), "by_emotion": EMOTIONS - {"neutral"},
                "general_and_topics": set(TOPICS) | {"general"},
            }[shape]
            if not isinstance(value, dict):
                problems.append(f"{where}: must be a mapping")
                continue
            if missing := groups - set(value):
                problems.append(f"{where}: missing {sorted(missing)}")
            if extra := set(value) - groups:
                problems.append(f"{where}: unknown {sorted(extra)}")
            for group, lines in value.items():
                problems += _check_list(f"{where}.{group}", lines, allowed, required, least)
                if key in ("feeling_words", "topic_phrases") and isinstance(lines, list):
                    if len(lines) > 4:
                        problems.append(f"{where}.{group}: 2 to 4 words or phrases")
                    if any(isinstance(w, str) and len(w.split()) > MAX_PHRASE_WORDS for w in lines):
                        problems.append(f"{where}.{group}: phrases must be short")
                if key == "open_questions" and isinstance(lines, list):
                    for i, line in enumerate(lines):
                        if isinstance(line, str) and line.count("?") != 1:
                            problems.append(f"{where}.{group}[{i}]: must be exactly one question")
    return problems


def _check_list(where: str, value: Any, allowed: frozenset[str], required: frozenset[str], least: int) -> list[str]:
    if not isinstance(value, list):
        return [f"{where}: must be a list"]
    problems = []
    if len(value) < least:
        problems.append(f"{where}: {len(value)} variant(s), at least {least} needed")
    if len({v.strip().lower() for v in value if isinstance(v, str)}) != len(value):
        problems.append(f"{where}: has repeated variants")
    for i, line in enumerate(value):
        problems += _check_line(f"{where}[{i}]", line, allowed, required)
    return problems
