"""What calls share in one process: scenarios, their trained NLU, the stored call rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.runtime import AgentRuntime
from common.errors import InputError
from nlu.config import scenario_parser
from scenarios.loader import SHIPPED_DIR, load_scenario
from tests.conversation.harness import start_call


def test_the_nlu_is_trained_once_per_scenario_content(runtime: AgentRuntime) -> None:
    again = load_scenario(SHIPPED_DIR / "restaurant-ko.yaml")  # another object, same content
    assert again is not runtime.scenario("restaurant-ko")
    assert scenario_parser(again) is scenario_parser(runtime.scenario("restaurant-ko"))
    edited = again.model_copy(update={"faq": {**again.faq, "faq_hours": "24시간 영업합니다."}})
    assert scenario_parser(edited) is not scenario_parser(again)


def test_unknown_scenario(runtime: AgentRuntime) -> None:
    with pytest.raises(InputError, match="unknown scenario 'pizza-ko'.*restaurant-ko"):
        runtime.new_call("pizza-ko", caller=None)
    assert runtime.calls.list_calls() == []


def test_calls_are_stored_with_their_direction_and_end(
    runtime: AgentRuntime, tmp_path: Path
) -> None:
    inbound = start_call(runtime, "restaurant-en", caller="+15551234567")
    inbound.user("goodbye").ends()
    inbound.close()
    outbound = start_call(runtime, "carecall-ko")
    outbound.hangup()
    rows = {c.id: c for c in runtime.calls.list_calls()}
    assert rows[inbound.call_id].direction == "inbound"
    assert rows[inbound.call_id].status == "completed" and rows[inbound.call_id].ended_at
    assert rows[outbound.call_id].direction == "outbound"
    assert rows[outbound.call_id].status == "hangup" and rows[outbound.call_id].outcome == "hangup"
    for call in (inbound, outbound):
        assert runtime.replay(call.call_id).state == call.state
