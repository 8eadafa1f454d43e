"""A linear head on shared features, stored as JSON + ``.npz`` (never a pickle) and scored with numpy.

On disk a model called ``NAME`` is two files in one folder:

* ``NAME.json``: format, task (``multilabel`` or ``multiclass``), labels, feature spec (each
  TF-IDF block's analyzer, n-gram range and vocabulary in column order; the dense blocks,
  ``static`` and/or ``encoder``, with their widths), training parameters and the figures
  measured when it was built.
* ``NAME.npz``: ``idf_0``, ``idf_1``… (float64), ``W`` (features × labels, float32, or
  float16 where size matters: the model is evaluated with the rounded weights it ships),
  ``b`` (float64) and, for multi-label heads, ``thresholds``.

A feature vector is the concatenation of L2-normalised blocks divided by sqrt(number of
blocks): TF-IDF blocks first, then dense blocks in the order the spec lists them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from haven.nlu.features import CHAR_NGRAMS, WORD_NGRAMS, Analyzed, TfidfBlock, load_npz, save_npz

FORMAT = "haven-linear-v1"
NGRAMS = {"word": list(WORD_NGRAMS), "char_wb": list(CHAR_NGRAMS)}


@dataclass(frozen=True)
class Features:
    """One text's features for one model: the sparse TF-IDF part and the dense part (possibly empty)."""

    idx: np.ndarray
    values: np.ndarray
    dense: np.ndarray


@dataclass
class LinearModel:
    name: str
    task: str
    labels: tuple[str, ...]
    blocks: list[TfidfBlock]
    dense: tuple[tuple[str, int], ...]  # (name, width) of each dense block: "static", "encoder"
    W: np.ndarray
    b: np.ndarray
    thresholds: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task not in ("multilabel", "multiclass"):
            raise ValueError(f"unknown task {self.task!r}")
        if self.W.dtype not in (np.float16, np.float32):
            raise ValueError(f"{self.name}: weights must be float16 or float32, not {self.W.dtype}")
        expected = self.n_sparse + sum(width for _, width in self.dense)
        if self.W.shape != (expected, len(self.labels)) or self.b.shape != (len(self.labels),):
            raise ValueError(f"{self.name}: weight shapes {self.W.shape}/{self.b.shape} do not fit the feature spec")
        self._offsets = np.cumsum([0] + [len(block) for block in self.blocks])
        self._n_blocks = len(self.blocks) + len(self.dense)

    @property
    def n_sparse(self) -> int:
        return sum(len(block) for block in self.blocks)

    @property
    def dense_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.dense)

    def featurize(self, analyzed: Analyzed, dense: Mapping[str, np.ndarray] | None = None) -> Features:
        """This model's feature vector for one text; ``dense`` maps each dense block's name to its vector."""
        scale = 1.0 / math.sqrt(self._n_blocks)
        parts = [block.transform(analyzed) for block in self.blocks]
        idx = np.concatenate([p[0] + off for p, off in zip(parts, self._offsets, strict=False)]) if parts else np.empty(0, np.int64)
        values = np.concatenate([p[1] for p in parts]) * scale if parts else np.empty(0)
        vectors = []
        for name, width in self.dense:
            if dense is None or name not in dense or len(dense[name]) != width:
                raise ValueError(f"{self.name} needs a {width}-wide {name!r} vector")
            vectors.append(np.asarray(dense[name], dtype=np.float64))
        return Features(idx, values, np.concatenate(vectors) * scale if vectors else np.empty(0))

    def decision(self, features: Features) -> np.ndarray:
        """Raw linear scores, one per label (scikit-learn's ``decision_function``)."""
        scores = self.b.copy()
        if len(features.idx):
            scores += features.values @ self.W[features.idx].astype(np.float64)
        if len(features.dense):
            scores += features.dense @ self.W[self.n_sparse :].astype(np.float64)
        return scores

    def proba(self, features: Features) -> np.ndarray:
        """Per-label sigmoid (multi-label) or softmax over labels (multi-class)."""
        scores = self.decision(features)
        if self.task == "multilabel":
            return 0.5 * (1.0 + np.tanh(0.5 * scores))  # the logistic function, without overflow
        scores = scores - scores.max()
        e = np.exp(scores)
        return e / e.sum()

    # --- files -----------------------------------------------------------------------------

    def save(self, directory: Path) -> list[Path]:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        spec = {
            "format": FORMAT,
            "name": self.name,
            "task": self.task,
            "labels": list(self.labels),
            "features": {
                "tfidf": [
                    {
                        "analyzer": blk.analyzer,
                        "ngram_range": NGRAMS[blk.analyzer],
                        "sublinear_tf": blk.sublinear_tf,
                        "vocabulary": blk.vocabulary,
                    }
                    for blk in self.blocks
                ],
                "dense": [{"name": name, "width": width} for name, width in self.dense],
            },
            "meta": self.meta,
        }
        arrays = {f"idf_{i}": blk.idf for i, blk in enumerate(self.blocks)}
        arrays |= {"W": self.W, "b": self.b.astype(np.float64)}
        if self.thresholds is not None:
            arrays["thresholds"] = self.thresholds.astype(np.float64)
        json_path, npz_path = directory / f"{self.name}.json", directory / f"{self.name}.npz"
        json_path.write_text(json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
        save_npz(npz_path, arrays)
        return [json_path, npz_path]

    @classmethod
    def load(cls, directory: Path, name: str) -> LinearModel:
        directory = Path(directory)
        spec = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        if spec.get("format") != FORMAT:
            raise ValueError(f"{name}: unknown model format {spec.get('format')!r}")
        for b in spec["features"]["tfidf"]:
            if b["ngram_range"] != NGRAMS[b["analyzer"]]:
                raise ValueError(f"{name}: n-gram range {b['ngram_range']} differs from the shared analyzer's")
        arrays = load_npz(directory / f"{name}.npz")
        blocks = [
            TfidfBlock(b["analyzer"], b["vocabulary"], arrays[f"idf_{i}"], sublinear_tf=b["sublinear_tf"])
            for i, b in enumerate(spec["features"]["tfidf"])
        ]
        return cls(
            name=spec["name"],
            task=spec["task"],
            labels=tuple(spec["labels"]),
            blocks=blocks,
            dense=tuple((d["name"], d["width"]) for d in spec["features"]["dense"]),
            W=arrays["W"],
            b=arrays["b"],
            thresholds=arrays.get("thresholds"),
            meta=spec.get("meta", {}),
        )
