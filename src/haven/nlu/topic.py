"""Topic: what a message is about, or None. A multi-class head over TOPICS plus ``none`` (messages about nothing in particular)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from haven.nlu.features import Analyzed
from haven.nlu.linear import LinearModel

TOPICS = (
    "work", "sleep", "relationships", "family", "study", "health", "loneliness", "money", "grief",
    "self_worth", "anxiety", "mood",
)  # fmt: skip
NONE = "none"
LABELS = (*TOPICS, NONE)
DEFAULT_THRESHOLD = 0.35


class TopicModel:
    def __init__(self, model: LinearModel) -> None:
        if model.labels != LABELS or model.task != "multiclass":
            raise ValueError("the topic model must be a multi-class head over TOPICS + none")
        self.model = model
        self.threshold = float(model.meta.get("threshold", DEFAULT_THRESHOLD))

    def probabilities(self, analyzed: Analyzed, dense: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        return self.model.proba(self.model.featurize(analyzed, dense))

    def predict(self, analyzed: Analyzed, dense: Mapping[str, np.ndarray] | None = None) -> tuple[str | None, float]:
        """The most probable topic and its probability; the topic is None when ``none`` wins or it is below the threshold."""
        p = self.probabilities(analyzed, dense)
        return decide(p, self.threshold)


def decide(p: np.ndarray, threshold: float) -> tuple[str | None, float]:
    best = int(np.argmax(p[: len(TOPICS)]))
    confidence = float(p[best])
    if confidence < threshold or p[len(TOPICS)] > confidence:
        return None, confidence
    return TOPICS[best], confidence
