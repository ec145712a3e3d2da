from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_train_test_parse(nlu_file: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    res = runner.invoke(
        app, ["nlu", "train", "--data", str(nlu_file), "--out", str(model), "--engine", "classical"]
    )
    assert res.exit_code == 0, res.output
    assert (model / "meta.json").is_file()

    report = tmp_path / "report.json"
    res = runner.invoke(
        app,
        ["nlu", "test", "--model", str(model), "--data", str(nlu_file), "--report", str(report)],
    )
    assert res.exit_code == 0, res.output
    assert "intent accuracy" in res.output and "slot micro-F1" in res.output
    rep = json.loads(report.read_text())
    assert rep["intent_accuracy"] > 0.9
    assert {"per_intent", "per_slot", "confusions", "slot_micro"} <= set(rep)

    res = runner.invoke(
        app,
        ["nlu", "parse", "--model", str(model)],
        input="i want a large pepperoni pizza\n\nhello\n",
    )
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in res.output.splitlines()]
    assert len(lines) == 3
    assert lines[0]["intent"] == "order_pizza"
    assert {"name", "value", "text", "start", "end"} <= set(lines[0]["slots"][0])
    assert lines[1]["intent"] == "out_of_scope"


def test_parse_with_scenario() -> None:
    res = runner.invoke(
        app,
        ["nlu", "parse", "--scenario", "restaurant-ko", "--today", "2026-11-25"],
        input="내일 두 명이요\n",
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["domain"] == "restaurant"
    assert {"name": "date", "value": "2026-11-26", "text": "내일", "start": 0, "end": 2} in out[
        "slots"
    ]


def test_bad_data_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu:\n- intent: a\n  examples: |\n", encoding="utf-8")
    res = runner.invoke(app, ["nlu", "train", "--data", str(bad), "--out", str(tmp_path / "m")])
    assert res.exit_code != 0
    assert "bad.yml" in str(res.exception)


def test_model_from_other_version(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "meta.json").write_text('{"format": 99, "engine": "classical"}')
    res = runner.invoke(app, ["nlu", "parse", "--model", str(model)], input="hi\n")
    assert res.exit_code != 0
    assert "model format 99" in str(res.exception)
