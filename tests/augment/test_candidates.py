"""The candidates store: provenance, review states, only accepted ones train."""

from __future__ import annotations

from pathlib import Path

import pytest

from authoring.candidates import Candidate, CandidateStore
from authoring.training import training_data_with
from common.errors import InputError
from nlu.training import training_data_from_scenario
from scenarios.schema import Scenario


def test_round_trip_keeps_provenance_and_state(store_path: Path) -> None:
    st = CandidateStore(store_path, "restaurant-ko")
    a = Candidate(
        "book", "[토요일](date) 자리 있나요", "llm_slots", "v1", "[모레](date) 자리 있어요?"
    )
    b = Candidate("book", "예약 돼나요", "asr", None, "예약 되나요").rejected(
        "label_conflict:faq_hours"
    )
    assert st.add([a, b]) == [a, b]
    assert st.add([a]) == []  # the same intent and text is one candidate
    st.save()
    again = CandidateStore(store_path, "restaurant-ko")
    got = {c.id: c for c in again}
    assert got[a.id] == a and got[b.id] == b
    assert got[b.id].reason == "label_conflict:faq_hours"
    assert got[a.id].seed == "[모레](date) 자리 있어요?" and got[a.id].prompt_version == "v1"
    assert "토요일" in store_path.read_text(encoding="utf-8")  # readable Korean, not escapes


def test_states_by_id_prefix(store_path: Path) -> None:
    st = CandidateStore(store_path, "restaurant-ko")
    (a,) = st.add([Candidate("book", "자리 하나 잡아 주세요", "llm_paraphrase")])
    st.set_state(a.id[:6], "accepted")
    assert st.counts()["accepted"] == 1
    st.set_state(a.id, "rejected", "author")
    assert st.select(state="rejected")[0].reason == "author"
    with pytest.raises(InputError, match="no candidate"):
        st.set_state("zzzz", "accepted")


def test_store_of_another_scenario_is_refused(store_path: Path) -> None:
    CandidateStore(store_path, "restaurant-ko").save()
    with pytest.raises(InputError, match="restaurant-ko"):
        CandidateStore(store_path, "restaurant-en")


def test_only_accepted_candidates_train(scenarios: dict[str, Scenario]) -> None:
    base = training_data_from_scenario(scenarios["restaurant-ko"])
    cands = [
        Candidate("book", "[토요일](date) 자리 있나요", "llm_slots", state="accepted"),
        Candidate("book", "자리 하나 잡아 주세요", "llm_paraphrase"),  # pending
        Candidate(
            "book", "주차 돼요", "typo", state="rejected", reason="label_conflict:faq_parking"
        ),
    ]
    data = training_data_with(base, cands)
    assert len(data.examples) == len(base.examples) + 1
    extra = data.examples[-1]
    assert (extra.text, extra.intent) == ("토요일 자리 있나요", "book")
    assert [(e.start, e.end, e.entity) for e in extra.entities] == [(0, 3, "date")]
