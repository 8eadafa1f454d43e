"""`haven eval emotion FILE --json` and `haven train …` through the CLI runner, on real GoEmotions rows.

CI keeps a copy of shared/ beside the clone, so ../shared/data is read directly: no skip.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from haven.nlu.cli import eval_app, train_app

DEV = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "goemotions" / "dev.jsonl"

# The shipped model scores 0.483 macro-F1 (Ekman 0.573) over all of dev, 0.496 (0.566) on these
# first 300 rows, and 0.36–0.51 (0.49–0.63) over the 18 windows of 300 rows dev holds: rare labels
# absent from a window count 0 (scikit-learn's zero_division=0). The band catches a broken model, not noise.
MACRO_F1_FLOOR = 0.30
EKMAN_FLOOR = 0.42

app = typer.Typer()
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")


def _sample(tmp_path: Path, n: int = 300) -> Path:
    path = tmp_path / "sample.jsonl"
    with open(DEV, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for _, line in zip(range(n), src, strict=False):
            row = json.loads(line)
            out.write(json.dumps({"text": row["text"], "label": row["label"]}) + "\n")
    return path


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_eval_emotion_prints_one_json_object(tmp_path):
    result = run("eval", "emotion", str(_sample(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)  # exactly one object, nothing else on stdout
    assert {"n", "macro_f1", "ekman_macro_f1", "ms_per_text"} <= set(report)
    assert report["n"] == 300
    assert MACRO_F1_FLOOR <= report["macro_f1"] <= 1.0
    assert EKMAN_FLOOR <= report["ekman_macro_f1"] <= 1.0
    assert 0 < report["ms_per_text"] < 50
    assert len(report["per_label_f1"]) == 28


def test_eval_emotion_without_json_prints_a_table(tmp_path):
    result = run("eval", "emotion", str(_sample(tmp_path, 20)))
    assert result.exit_code == 0, result.output
    assert "macro-F1, 28 labels" in result.output and "ms per text" in result.output


def test_eval_emotion_refuses_a_file_in_another_format(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello", "label": "joy"}\n')
    result = CliRunner().invoke(app, ["eval", "emotion", str(bad), "--json"])
    assert result.exit_code == 2
    assert "label" in result.output


def test_train_intent_writes_a_model_and_prints_its_figures(tmp_path):
    result = run("train", "intent", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "cv5" in result.output and "macro-F1" in result.output
    assert (tmp_path / "intent.json").exists() and (tmp_path / "intent.npz").exists()


def test_train_emotion_says_where_the_data_should_be(tmp_path):
    result = CliRunner().invoke(app, ["train", "emotion", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--data" in result.output
