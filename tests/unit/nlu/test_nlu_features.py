"""The numpy run-time path reproduces scikit-learn's: TF-IDF vectors to 1e-6, linear heads likewise."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from haven.nlu.features import (
    CHAR_NGRAMS,
    WORD_NGRAMS,
    StaticEmbedding,
    TfidfBlock,
    analyze,
    char_wb_ngrams,
    load_npz,
    save_npz,
    word_ngrams,
)
from haven.nlu.linear import LinearModel

TRAIN = [
    "I can't sleep at night and I'm exhausted",
    "my boss yelled at me again today!!",
    "Thank you so much, that really helped :)",
    "je me sens très triste aujourd'hui",
    "exams exams exams... i'm so stressed",
    "Hello there, is anyone around?",
    "I feel   worthless\tand alone\nagain",
    "naïve café résumé — ünïcödé",
    "stop",
    "ok ok ok",
    "my mum and dad keep fighting",
    "I owe £2,000 on my card and rent is due",
]
SAMPLES = [
    *TRAIN,
    "",
    "   ",
    "a",
    "!!!",
    "something entirely unseen: quantum zebra",
    "I I I I can't can't sleep sleep",
    "Sleep? SLEEP. sleeping, slept.",
    "🙂 emoji only 🙃",
    "tabs\tand\nnewlines  and   spaces",
]


def _block(vectorizer: TfidfVectorizer) -> TfidfBlock:
    vocabulary = [t for t, _ in sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])]
    return TfidfBlock(vectorizer.analyzer, vocabulary, vectorizer.idf_)


def _dense(idx, values, width):
    out = np.zeros(width)
    out[idx] = values
    return out


@pytest.mark.parametrize(("analyzer", "ngram_range"), [("word", WORD_NGRAMS), ("char_wb", CHAR_NGRAMS)])
def test_the_analyzers_match_scikit_learn(analyzer, ngram_range):
    reference = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range).build_analyzer()
    ours = word_ngrams if analyzer == "word" else char_wb_ngrams
    for text in SAMPLES:
        assert sorted(ours(text, ngram_range)) == sorted(reference(text)), text


@pytest.mark.parametrize(("analyzer", "ngram_range"), [("word", WORD_NGRAMS), ("char_wb", CHAR_NGRAMS)])
def test_the_numpy_tfidf_transform_matches_scikit_learn_to_1e6(analyzer, ngram_range):
    vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True).fit(TRAIN)
    block = _block(vectorizer)
    expected = vectorizer.transform(SAMPLES).toarray()
    for text, row in zip(SAMPLES, expected, strict=True):
        idx, values = block.transform(analyze(text))
        assert np.all(np.diff(idx) > 0)
        np.testing.assert_allclose(_dense(idx, values, len(block)), row, atol=1e-6, rtol=0)


def _fitted(task: str):
    vectorizers = [
        TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True).fit(TRAIN),
        TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True).fit(TRAIN),
    ]
    x = sp.hstack([v.transform(TRAIN) for v in vectorizers]).tocsr() / np.sqrt(2)
    if task == "multiclass":
        y = np.arange(len(TRAIN)) % 3
        clf = LogisticRegression(C=10, max_iter=1000).fit(x, y)
        w, b = clf.coef_.T, clf.intercept_
        labels = ("a", "b", "c")
    else:
        y = (np.arange(len(TRAIN)) % 2).astype(int)
        clf = LogisticRegression(C=10, solver="liblinear").fit(x, y)
        w, b = clf.coef_.T, clf.intercept_
        labels = ("yes",)
    model = LinearModel("head", task, labels, [_block(v) for v in vectorizers], (), w.astype(np.float32), b.astype(np.float64))
    return model, clf, vectorizers


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_a_linear_head_matches_scikit_learn(task, tmp_path):
    model, clf, vectorizers = _fitted(task)
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path, "head")
    x = sp.hstack([v.transform(SAMPLES) for v in vectorizers]).tocsr() / np.sqrt(2)
    expected = clf.predict_proba(x)
    for text, row in zip(SAMPLES, expected, strict=True):
        p = loaded.proba(loaded.featurize(analyze(text)))
        got = p if task == "multiclass" else np.array([1 - p[0], p[0]])
        # weights are stored as float32: 1e-6 relative to the weights, far below any threshold's resolution
        np.testing.assert_allclose(got, row, atol=1e-5)


def test_dense_blocks_are_appended_and_scaled(tmp_path):
    block = TfidfBlock("word", ["sleep", "work"], np.array([1.5, 2.0]))
    w = np.arange(2 * 2 + 3 * 2, dtype=np.float32).reshape(5, 2) / 10
    model = LinearModel("head", "multiclass", ("a", "b"), [block], (("static", 3),), w, np.zeros(2))
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path, "head")
    vector = np.array([1.0, 0.0, 0.0])
    features = loaded.featurize(analyze("sleep"), {"static": vector})
    np.testing.assert_allclose(features.values, [1 / np.sqrt(2)])
    np.testing.assert_allclose(features.dense, vector / np.sqrt(2))
    expected = np.array([1 / np.sqrt(2), 0, 1 / np.sqrt(2), 0, 0]) @ w.astype(np.float64)
    np.testing.assert_allclose(loaded.decision(features), expected)
    with pytest.raises(ValueError, match="static"):
        loaded.featurize(analyze("sleep"))


def test_a_model_whose_shapes_disagree_with_its_spec_is_refused():
    block = TfidfBlock("word", ["sleep"], np.array([1.0]))
    with pytest.raises(ValueError, match="shapes"):
        LinearModel("head", "multiclass", ("a", "b"), [block], (), np.zeros((2, 2), np.float32), np.zeros(2))


def test_save_npz_is_byte_identical_and_loads_read_only(tmp_path):
    arrays = {"b": np.arange(3.0), "a": np.eye(2, dtype=np.float32)}
    save_npz(tmp_path / "one.npz", arrays)
    save_npz(tmp_path / "two.npz", dict(reversed(arrays.items())))
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    loaded = load_npz(tmp_path / "one.npz")
    np.testing.assert_array_equal(loaded["a"], arrays["a"])
    with pytest.raises(ValueError):
        loaded["b"][0] = 1.0


def test_no_pickle_can_be_loaded(tmp_path):
    np.savez(tmp_path / "evil.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        load_npz(tmp_path / "evil.npz")


def test_the_static_embedding_is_a_weighted_unit_mean(tmp_path):
    vectors = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float16)
    static = StaticEmbedding(["sleep", "work", "never"], vectors, np.array([1.0, 3.0, 0.5]))
    static.save(tmp_path)
    loaded = StaticEmbedding.load(tmp_path)
    v = loaded.embed(analyze("Sleep, work and sleep"))  # sleep twice (weight 1), work once (weight 3); "and" unknown
    np.testing.assert_allclose(v, np.array([2.0, 3.0]) / np.sqrt(13))
    np.testing.assert_array_equal(loaded.embed(analyze("nothing known here")), np.zeros(2))
