"""Understanding a member's message: intent, emotions, topic, and whether it is English.

Pure and thread-safe: the shipped models (src/haven/nlu/models/, built by ``haven train all``)
are loaded once, on first use or by :func:`warm_up`, and never change afterwards. numpy
alone at run time: no torch, no onnxruntime, no network. A text is analysed once (its
n-grams and its static embedding) and the three heads share that. docs/models.md has the
figures behind each choice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from haven.nlu.emotion import EmotionModel
from haven.nlu.features import MAX_CHARS, StaticEmbedding, analyze
from haven.nlu.intent import INTENTS, IntentModel
from haven.nlu.language import is_english
from haven.nlu.linear import LinearModel
from haven.nlu.topic import TOPICS, TopicModel

__all__ = ["INTENTS", "MODELS_DIR", "TOPICS", "Understanding", "understand", "warm_up"]

MODELS_DIR = Path(__file__).parent / "models"


@dataclass(frozen=True)
class Understanding:
    intent: str  # one of INTENTS
    intent_confidence: float  # 0..1
    emotions: tuple[tuple[str, float], ...]  # GoEmotions labels (not "neutral") at or above their threshold, highest first
    topic: str | None  # one of TOPICS, or None below the topic threshold
    topic_confidence: float  # probability of the most likely topic, also when topic is None
    english: bool  # False when the text is clearly not English


@dataclass(frozen=True)
class Models:
    static: StaticEmbedding
    emotion: EmotionModel
    intent: IntentModel
    topic: TopicModel


_lock = threading.Lock()
_models: Models | None = None


def load_models(directory: Path = MODELS_DIR) -> Models:
    models = Models(
        static=StaticEmbedding.load(directory),
        emotion=EmotionModel(LinearModel.load(directory, "emotion")),
        intent=IntentModel(LinearModel.load(directory, "intent")),
        topic=TopicModel(LinearModel.load(directory, "topic")),
    )
    for head in (models.emotion.model, models.intent.model, models.topic.model):
        if set(head.dense_names) - {"static"}:
            raise ValueError(f"the {head.name} model needs the sentence encoder, which Haven does not run when serving")
    return models


def models() -> Models:
    global _models
    if _models is None:
        with _lock:
            if _models is None:
                _models = load_models()
    return _models


def warm_up() -> None:
    """Load every model now (called at app start), and run one message through them."""
    understand("warm up")


def understand(text: str) -> Understanding:
    m = models()
    analyzed = analyze(text)
    dense = {"static": m.static.embed(analyzed)}
    intent, intent_confidence = m.intent.predict(text, analyzed, dense)
    emotions = m.emotion.emotions(m.emotion.probabilities(analyzed, dense))
    topic, topic_confidence = m.topic.predict(analyzed, dense)
    return Understanding(
        intent=intent,
        intent_confidence=intent_confidence,
        emotions=emotions,
        topic=topic,
        topic_confidence=topic_confidence,
        english=is_english(text[:MAX_CHARS]),
    )
