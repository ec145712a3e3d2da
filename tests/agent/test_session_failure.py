"""A call never ends in a traceback: a turn that fails apologises, hands over or ends, and the
call is stored as failed with the reason.

The fault is injected: the session's policy raises (as an unregistered action once did, with
``RuntimeError: unknown action``, or a missing slot with ``KeyError``). The clinic scenarios have
no ``turn_failed`` template, so the built-in wording of their language is said.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from agent.config import Settings
from agent.runtime import AgentRuntime
from common.errors import BackendUnavailableError
from dialogue.acts import SystemAct
from dialogue.policy import Policy
from scenarios.loader import load_scenario
from scenarios.schema import GlobalBehaviour, Scenario

DATA = Path(__file__).parents[1] / "scenarios" / "data"
NOW = datetime(2026, 11, 25, 10, 0)


class FaultyPolicy(Policy):
    """A policy whose every caller turn fails the way a half-configured action did."""

    def on_user(self, *args: object, **kwargs: object) -> list[SystemAct]:
        """Fail as ``_request`` did on a task without the slot."""
        raise KeyError("party_size")


def _runtime(tmp_path: Path, scenario: Scenario) -> AgentRuntime:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'aicall.db'}", scenario_dirs=[]
    )
    return AgentRuntime(settings, clock=lambda _sc: NOW, scenarios={scenario.id: scenario})


@pytest.fixture(autouse=True)
def faulty_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("agent.session.Policy", FaultyPolicy)


@pytest.mark.parametrize(
    ("lang", "said", "sorry", "handover"),
    [
        ("en", "I'd like an appointment", "something went wrong on our side", "reception desk"),
        ("ko", "예약하고 싶어요", "저희 쪽에 문제가 생겨", "접수 데스크로 연결"),
    ],
)
def test_a_failed_turn_apologises_hands_over_and_is_stored_as_failed(
    tmp_path: Path, lang: str, said: str, sorry: str, handover: str
) -> None:
    scenario = load_scenario(DATA / f"clinic-{lang}.yaml")
    runtime = _runtime(tmp_path, scenario)
    try:
        session = runtime.new_call(scenario.id, caller="+15555551234")
        session.start()
        reply = session.user_text(said)
        assert sorry in reply.text and handover in reply.text, reply.text
        assert reply.transfer_to == scenario.handover_number and reply.end_call
        assert session.ended and session.tracker.state.outcome == "failed"
        assert session.user_text("hello?").end_call  # stays over
        session.close("completed")  # what the caller's side says; the failure wins

        stored = runtime.calls.get_call(session.call_id)
        assert stored is not None
        assert (stored.status, stored.outcome) == ("failed", "failed")
        assert stored.failure_reason is not None and "KeyError" in stored.failure_reason
        events = [e.payload for e in runtime.calls.load_events(session.call_id)]
        assert any(e.get("name") == "turn_failed" for e in events)
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("lang", "sorry"),
    [("en", "I'm sorry, something went wrong"), ("ko", "죄송합니다. 저희 쪽에 문제가")],
)
def test_without_a_hand_over_number_the_call_ends_politely(
    tmp_path: Path, lang: str, sorry: str
) -> None:
    scenario = load_scenario(DATA / f"clinic-{lang}.yaml")
    scenario = scenario.model_copy(update={"id": f"{scenario.id}-x", "globals": GlobalBehaviour()})
    runtime = _runtime(tmp_path, scenario)
    try:
        session = runtime.new_call(scenario.id, caller=None)
        session.start()
        reply = session.user_text("hello")
        assert reply.text.startswith(sorry) and reply.end_call and reply.transfer_to is None
        session.close("completed")
        stored = runtime.calls.get_call(session.call_id)
        assert stored is not None and stored.status == "failed"
    finally:
        runtime.close()


class BackendDownPolicy(Policy):
    """A policy whose backend (a Rasa server, say) is unreachable."""

    def on_user(self, *args: object, **kwargs: object) -> list[SystemAct]:
        """Fail as an unreachable NLU server does."""
        raise BackendUnavailableError("Rasa server http://127.0.0.1:9 unreachable")


def test_a_backend_failure_is_logged_as_one_line_and_handed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("agent.session.Policy", BackendDownPolicy)
    scenario = load_scenario(DATA / "clinic-en.yaml")
    runtime = _runtime(tmp_path, scenario)
    try:
        session = runtime.new_call(scenario.id, caller=None)
        session.start()
        reply = session.user_text("I'd like an appointment")
        assert reply.transfer_to == scenario.handover_number
        session.close("completed")
        stored = runtime.calls.get_call(session.call_id)
        assert stored is not None and stored.status == "failed"
        assert stored.failure_reason is not None and "unreachable" in stored.failure_reason
    finally:
        runtime.close()
    failed = [r for r in caplog.records if "the turn failed" in r.getMessage()]
    assert failed and all(r.exc_info is None for r in failed)  # a message, no traceback
