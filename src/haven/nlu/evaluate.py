"""Figures for the models, computed with numpy on the run-time path (what ``haven eval`` prints).

Macro-F1 follows scikit-learn's ``f1_score(average="macro", zero_division=0)``: every label
counts, and a label that is neither present nor predicted scores 0.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from haven.nlu.emotion import EKMAN_GROUPS, EMOTIONS, EmotionModel, ekman
from haven.nlu.features import DenseSources, analyze


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_emotion_rows(path: Path) -> list[tuple[str, list[str]]]:
    """GoEmotions-format JSONL: ``text`` and ``label`` (a list of emotion names) on each row."""
    rows = []
    for i, row in enumerate(read_jsonl(path), start=1):
        labels = row.get("label")
        if not isinstance(row.get("text"), str) or not isinstance(labels, list):
            raise ValueError(f"{path}:{i}: each row needs `text` (a string) and `label` (a list of emotion names)")
        unknown = set(labels) - set(EMOTIONS)
        if unknown:
            raise ValueError(f"{path}:{i}: unknown emotion {sorted(unknown)[0]!r}")
        rows.append((row["text"], labels))
    return rows


def indicator(label_sets: Iterable[Iterable[str]], labels: Sequence[str]) -> np.ndarray:
    column = {label: j for j, label in enumerate(labels)}
    sets = list(label_sets)
    out = np.zeros((len(sets), len(labels)), dtype=bool)
    for i, chosen in enumerate(sets):
        for label in chosen:
            out[i, column[label]] = True
    return out


def f1_per_label(truth: np.ndarray, pred: np.ndarray) -> np.ndarray:
    tp = (truth & pred).sum(axis=0)
    denominator = truth.sum(axis=0) + pred.sum(axis=0)
    return np.divide(2 * tp, denominator, out=np.zeros(truth.shape[1]), where=denominator > 0)


def macro_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    return float(f1_per_label(truth, pred).mean())


def emotion_scores(truth_sets: list[list[str]], pred_sets: list[list[str]]) -> dict:
    truth, pred = indicator(truth_sets, EMOTIONS), indicator(pred_sets, EMOTIONS)
    e_truth = indicator((ekman(s) for s in truth_sets), EKMAN_GROUPS)
    e_pred = indicator((ekman(s) for s in pred_sets), EKMAN_GROUPS)
    per_label = f1_per_label(truth, pred)
    return {
        "n": len(truth_sets),
        "macro_f1": round(float(per_label.mean()), 4),
        "ekman_macro_f1": round(macro_f1(e_truth, e_pred), 4),
        "per_label_f1": {label: round(float(f), 4) for label, f in zip(EMOTIONS, per_label, strict=True)},
    }


def evaluate_emotion(model: EmotionModel, rows: list[tuple[str, list[str]]], *, sources: DenseSources | None = None) -> dict:
    """Predict each text one at a time, as in serving, and score against its labels.

    ``ms_per_text`` is the mean time of analysing one text and running the emotion model
    (with its dense blocks, if any) on it, at batch 1 in this process.
    """
    names = model.model.dense_names
    sources = sources or DenseSources()
    predicted: list[list[str]] = []
    elapsed = 0.0
    for text, _ in rows:
        start = time.perf_counter()
        analyzed = analyze(text)
        predicted.append(model.labels(model.probabilities(analyzed, sources.one(text, analyzed, names))))
        elapsed += time.perf_counter() - start
    result = emotion_scores([labels for _, labels in rows], predicted)
    result["ms_per_text"] = round(1000 * elapsed / max(len(rows), 1), 3)
    return result


def classification_scores(truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Accuracy and macro-F1 of single-label predictions."""
    t = indicator(([x] for x in truth), labels)
    p = indicator(([x] for x in pred), labels)
    return {
        "n": len(truth),
        "accuracy": round(float(np.mean([a == b for a, b in zip(truth, pred, strict=True)])), 4),
        "macro_f1": round(macro_f1(t, p), 4),
    }
