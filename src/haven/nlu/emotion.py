"""Emotion: the 28 GoEmotions labels (27 emotions + neutral), multi-label, one tuned threshold each."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from haven.nlu.features import Analyzed
from haven.nlu.linear import LinearModel

# GoEmotions' label ids 0–27, in the dataset's order (emotions.txt).
EMOTIONS = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip

# The paper's grouping of the 27 emotions into Ekman's six (ekman_mapping.json); neutral stays neutral.
EKMAN = {
    "anger": ("anger", "annoyance", "disapproval"),
    "disgust": ("disgust",),
    "fear": ("fear", "nervousness"),
    "joy": ("joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief", "pride",
            "admiration", "desire", "caring"),
    "sadness": ("sadness", "disappointment", "embarrassment", "grief", "remorse"),
    "surprise": ("surprise", "realization", "confusion", "curiosity"),
}  # fmt: skip
EKMAN_GROUPS = (*sorted(EKMAN), "neutral")
EKMAN_OF = {label: group for group, labels in EKMAN.items() for label in labels} | {"neutral": "neutral"}


def ekman(labels) -> set[str]:
    """The Ekman groups of a set of GoEmotions labels (the union of each label's group)."""
    return {EKMAN_OF[label] for label in labels}


class EmotionModel:
    def __init__(self, model: LinearModel) -> None:
        if model.labels != EMOTIONS or model.task != "multilabel" or model.thresholds is None:
            raise ValueError("the emotion model must be a multi-label head over the 28 GoEmotions labels, with thresholds")
        self.model = model

    def probabilities(self, analyzed: Analyzed, dense: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        return self.model.proba(self.model.featurize(analyzed, dense))

    def labels(self, probabilities: np.ndarray) -> list[str]:
        """Labels at or above their threshold; none at all means neutral (the 28-label evaluation uses this)."""
        chosen = [EMOTIONS[i] for i in np.flatnonzero(probabilities >= self.model.thresholds)]
        return chosen or ["neutral"]

    def emotions(self, probabilities: np.ndarray) -> tuple[tuple[str, float], ...]:
        """Emotions other than neutral at or above their threshold, most probable first."""
        hits = [
            (EMOTIONS[i], float(probabilities[i]))
            for i in np.flatnonzero(probabilities >= self.model.thresholds)
            if EMOTIONS[i] != "neutral"
        ]
        return tuple(sorted(hits, key=lambda hit: (-hit[1], hit[0])))
