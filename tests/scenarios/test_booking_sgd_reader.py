"""bench/booking_sgd reads SGD's train and dev dialogues (never test) into scored turns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, time
from pathlib import Path

from bench.booking_sgd import SGD_TODAY, Score, read_turns, score_turn
from nlu.config import scenario_parser
from scenarios.loader import load_scenarios


def _frame(service: str, actions: list[tuple[str, str, str, str]]) -> dict[str, object]:
    return {
        "service": service,
        "slots": [],
        "actions": [
            {"act": act, "slot": slot, "values": [value], "canonical_values": [canonical]}
            for act, slot, value, canonical in actions
        ],
    }


def _dialogue(service: str) -> dict[str, object]:
    return {
        "dialogue_id": "1_00001",
        "services": [service],
        "turns": [
            {
                "speaker": "USER",
                "utterance": "Can you find me a doctor?",
                "frames": [
                    _frame(service, [("INFORM_INTENT", "intent", "FindProvider", "FindProvider")])
                ],
            },
            {
                "speaker": "SYSTEM",
                "utterance": "What time would you like?",
                "frames": [_frame(service, [("REQUEST", "appointment_time", "", "")])],
            },
            {
                "speaker": "USER",
                "utterance": "Book it for half past 3 in the afternoon on the 7th.",
                "frames": [
                    _frame(
                        service,
                        [
                            ("INFORM_INTENT", "intent", "BookAppointment", "BookAppointment"),
                            ("INFORM", "appointment_time", "half past 3 in the afternoon", "15:30"),
                            ("INFORM", "appointment_date", "the 7th", "2019-03-07"),
                        ],
                    )
                ],
            },
        ],
    }


def test_train_and_dev_are_read_and_test_never(tmp_path: Path) -> None:
    for split, service in (("train", "Services_3"), ("dev", "Services_4"), ("test", "Services_3")):
        (tmp_path / split).mkdir()
        other = {"dialogue_id": "x", "services": ["Restaurants_1"], "turns": []}
        data = [_dialogue(service), other]
        (tmp_path / split / "dialogues_001.json").write_text(json.dumps(data), encoding="utf-8")
    turns = read_turns(tmp_path)
    assert [(t.split, t.service) for t in turns] == [
        ("train", "Services_3"),
        ("train", "Services_3"),
        ("dev", "Services_4"),
        ("dev", "Services_4"),
    ]
    find, book = turns[:2]
    assert (find.intent, find.date, find.time, find.expected) == ("find_provider", None, None, None)
    assert (book.intent, book.date, book.time, book.expected) == (
        "book",
        date(2019, 3, 7),
        time(15, 30),
        "time",
    )
    assert book.date_text == "the 7th"


def test_a_turn_is_scored_on_intent_date_and_time(tmp_path: Path) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "dialogues_001.json").write_text(
        json.dumps([_dialogue("Services_3")]), encoding="utf-8"
    )
    _, book = read_turns(tmp_path)
    sc = load_scenarios()["clinic-en"]
    result = scenario_parser(sc).parse(book.text, today=SGD_TODAY)
    score = Score()
    score_turn(score, book, result, sc)
    assert (score.turns, score.intent_n, score.date_n, score.explicit_n, score.time_n) == (
        1, 1, 1, 1, 1,
    )  # fmt: skip
    # the values are parsed exactly (the intent is what the engine makes of it, not asserted)
    assert (score.date_ok, score.time_ok) == (1, 1), score.misses


def test_sgd_dir_is_where_the_bench_reads_the_dialogues(tmp_path: Path) -> None:
    """AICALL_SGD_DIR names the copy of the dataset; a copy without dialogues is a clear skip."""
    (tmp_path / "train").mkdir()
    env = {**os.environ, "AICALL_SGD_DIR": str(tmp_path)}
    code = "import bench.booking_sgd as b; print(b.DATA); print(len(b.read_turns(b.DATA)))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(tmp_path), "0"]
