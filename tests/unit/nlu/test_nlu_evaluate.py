"""The scoring code: scikit-learn's macro-F1, the GoEmotions label set and its Ekman grouping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from haven.nlu.emotion import EKMAN, EKMAN_GROUPS, EMOTIONS, ekman
from haven.nlu.evaluate import emotion_scores, macro_f1, read_emotion_rows

GOEMOTIONS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "goemotions"


def test_macro_f1_is_scikit_learns_with_zero_division_0():
    rng = np.random.default_rng(7)
    for _ in range(20):
        truth = rng.random((50, 28)) < 0.08
        pred = rng.random((50, 28)) < 0.08
        truth[:, 3] = pred[:, 3] = False  # a label neither present nor predicted
        expected = f1_score(truth, pred, average="macro", zero_division=0)
        assert macro_f1(truth, pred) == pytest.approx(expected, abs=1e-12)


def test_the_labels_and_the_ekman_grouping_are_goemotions_own():
    assert EMOTIONS == tuple((GOEMOTIONS / "emotions.txt").read_text().split())
    mapping = json.loads((GOEMOTIONS / "ekman_mapping.json").read_text())
    assert {group: sorted(labels) for group, labels in EKMAN.items()} == {g: sorted(ls) for g, ls in mapping.items()}
    assert EKMAN_GROUPS == ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")


def test_ekman_sets_are_unions_of_groups():
    assert ekman(["annoyance", "grief", "neutral"]) == {"anger", "sadness", "neutral"}
    assert ekman(["joy", "love"]) == {"joy"}


def test_emotion_scores_perfect_and_empty():
    truth = [["joy"], ["sadness", "grief"], ["neutral"]]
    perfect = emotion_scores(truth, truth)
    assert perfect["n"] == 3
    # 4 of 28 labels occur; the others score 0 under zero_division=0
    assert perfect["macro_f1"] == pytest.approx(round(4 / 28, 4))
    assert perfect["ekman_macro_f1"] == pytest.approx(round(3 / 7, 4))


def test_rows_must_be_goemotions_format(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "yay", "label": ["joy"]}\n\n{"text": "hm", "label": ["neutral", "confusion"]}\n')
    assert read_emotion_rows(good) == [("yay", ["joy"]), ("hm", ["neutral", "confusion"])]
    for bad in ('{"text": "x", "label": "joy"}', '{"label": ["joy"]}', '{"text": "x", "label": ["glee"]}'):
        path = tmp_path / "bad.jsonl"
        path.write_text(bad + "\n")
        with pytest.raises(ValueError):
            read_emotion_rows(path)
