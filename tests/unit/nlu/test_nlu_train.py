"""`haven train` is reproducible: the same data gives byte-identical files. And the shipped files are the documented ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from haven.nlu.evaluate import read_jsonl
from haven.nlu.features import DenseSources, StaticEmbedding, file_sha256
from haven.nlu.service import MODELS_DIR, load_models
from haven.nlu.train import DATA_DIR, parse_features, train_emotion, train_intent, train_topic

GOEMOTIONS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "goemotions"
SHIPPED = ("emotion.json", "emotion.npz", "intent.json", "intent.npz", "topic.json", "topic.npz", "static.json", "static.npz")


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_emotion_training_twice_gives_identical_files(tmp_path):
    first = train_emotion(GOEMOTIONS, tmp_path / "a", limit=200, dev=False)
    train_emotion(GOEMOTIONS, tmp_path / "b", limit=200, dev=False)
    assert set(first["files"]) == {"emotion.json", "emotion.npz"}
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def _subset(rows: list[dict], per_label: int, path: Path) -> Path:
    taken: dict[str, int] = {}
    with open(path, "w") as f:
        for row in rows:
            if taken.get(row["label"], 0) < per_label:
                taken[row["label"]] = taken.get(row["label"], 0) + 1
                f.write(json.dumps(row) + "\n")
    return path


def test_intent_and_topic_training_twice_give_identical_files(tmp_path):
    sources = DenseSources(static=StaticEmbedding.load(MODELS_DIR))
    intents = _subset(read_jsonl(DATA_DIR / "intents.jsonl"), 6, tmp_path / "intents.jsonl")
    topics = _subset(read_jsonl(DATA_DIR / "topics.jsonl"), 6, tmp_path / "topics.jsonl")
    for out in ("a", "b"):
        train_intent(tmp_path / out, sources=sources, data=intents, test=intents)
        train_topic(tmp_path / out, sources=sources, data=topics, intents=intents, test=topics)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert {"intent.json", "intent.npz", "topic.json", "topic.npz"} == set(_bytes(tmp_path / "a"))


def test_feature_specs_are_checked():
    assert parse_features("tfidf") == (True, ())
    assert parse_features("tfidf+static") == (True, ("static",))
    assert parse_features("encoder") == (False, ("encoder",))
    for bad in ("", "tfidf+tfidf", "bert", "tfidf+"):
        with pytest.raises(ValueError):
            parse_features(bad)


def test_the_model_card_lists_the_sha256_of_every_shipped_file():
    card = (MODELS_DIR / "MODEL_CARD.md").read_text()
    for name in SHIPPED:
        row = re.search(rf"^\| `{re.escape(name)}` \| ([\d,]+) \| `([0-9a-f]{{64}})` \|", card, re.MULTILINE)
        assert row, f"{name} is not in MODEL_CARD.md"
        assert row.group(2) == file_sha256(MODELS_DIR / name), f"{name} changed: update MODEL_CARD.md (haven train all prints the sha256)"
        assert int(row.group(1).replace(",", "")) == (MODELS_DIR / name).stat().st_size


def test_the_shipped_models_load_are_small_and_carry_their_figures():
    models = load_models()
    assert models.emotion.model.dense_names == ()
    assert models.intent.model.dense_names == ("static",) and models.topic.model.dense_names == ("static",)
    assert sum((MODELS_DIR / name).stat().st_size for name in SHIPPED) < 8_000_000
    assert models.emotion.model.meta["dev"]["macro_f1"] > 0.45
    assert models.intent.model.meta["cv5"]["model+rules"]["macro_f1"] > 0.8
    assert models.topic.model.meta["cv5"]["macro_f1"] > 0.6
    assert not list(MODELS_DIR.glob("*.pkl")) and not list(MODELS_DIR.glob("*.joblib"))
