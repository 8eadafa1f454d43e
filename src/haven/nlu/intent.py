"""Intent: what a message is doing in the conversation. Short control words go by a reviewed table, the rest by a model.

The table matches a whole message only, after :func:`normalise` (lower case, punctuation and
emoji dropped, spaces collapsed), so "stop" is ``stop`` but "I can't stop crying" is not.
Change it only with a test in tests/unit/nlu/test_nlu_intent.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from haven.nlu.features import Analyzed
from haven.nlu.linear import LinearModel

INTENTS = (
    "greeting", "venting", "question", "ask_exercise", "affirm", "deny", "thanks", "goodbye",
    "feedback_positive", "feedback_negative", "stop", "skip", "back",
)  # fmt: skip

# The reviewed table: whole-message phrases → intent.
RULES: dict[str, tuple[str, ...]] = {
    "stop": ("stop", "stop please", "please stop", "stop it", "stop now", "stop stop", "quit", "cancel", "end",
             "exit", "stop the exercise", "end the exercise", "quit the exercise", "cancel the exercise"),
    "skip": ("skip", "skip it", "skip this", "skip that", "skip please", "skip this step", "next", "next please",
             "next one", "next step", "pass"),
    "back": ("back", "go back", "back please", "go back please", "previous", "previous step", "undo", "go back one"),
    "affirm": ("yes", "y", "yeah", "yea", "yep", "yup", "yes please", "sure", "ok", "okay", "k", "kk", "ok sure",
               "alright", "sounds good", "let's do it", "lets do it"),
    "deny": ("no", "n", "nope", "nah", "no thanks", "no thank you", "not now", "not really"),
    "thanks": ("thanks", "thank you", "thank u", "thx", "ty", "tysm", "cheers", "thanks a lot", "thank you so much",
               "thanks so much", "many thanks"),
    "goodbye": ("bye", "goodbye", "good bye", "bye bye", "bye for now", "see you", "see ya", "cya", "good night",
                "goodnight", "night", "ttyl", "gtg", "g2g", "thanks bye", "ok bye"),
    "greeting": ("hi", "hello", "hey", "hiya", "heya", "hey there", "hi there", "hello there", "good morning",
                 "good afternoon", "good evening"),
}  # fmt: skip
_TABLE = {phrase: intent for intent, phrases in RULES.items() for phrase in phrases}
_NOT_WORD = re.compile(r"[^\w\s']+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text.lower().replace("’", "'"))).strip(" '")


def rule(text: str) -> str | None:
    """The intent the table gives a whole message, or None."""
    if len(text) > 40:
        return None
    return _TABLE.get(normalise(text))


class IntentModel:
    def __init__(self, model: LinearModel) -> None:
        if model.labels != INTENTS or model.task != "multiclass":
            raise ValueError("the intent model must be a multi-class head over INTENTS")
        self.model = model

    def probabilities(self, analyzed: Analyzed, dense: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        return self.model.proba(self.model.featurize(analyzed, dense))

    def predict(self, text: str, analyzed: Analyzed, dense: Mapping[str, np.ndarray] | None = None) -> tuple[str, float]:
        if (by_rule := rule(text)) is not None:
            return by_rule, 1.0
        p = self.probabilities(analyzed, dense)
        best = int(np.argmax(p))
        return INTENTS[best], float(p[best])
