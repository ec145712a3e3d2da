"""An outbound care call end to end: Twilio's signed voice webhook for a call the agent placed,
then the media stream over loopback with the real dialogue and speech models.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import pytest

from agent.config import Settings
from agent.runtime import AgentRuntime
from agent.server.app import create_app
from agent.server.loopback import serve_on_loopback
from agent.voice.engines import VoiceEngines
from agent.voice.simulator import CallerSimulator, CallerStep
from common.errors import InputError

pytestmark = pytest.mark.timeout(240)

TOKEN = "outbound-test-token"
AGENT_NUMBER, PERSON_NUMBER = "+15550100100", "+15550100277"
PERSON = "John Smith"


class _TwilioCallingOut(CallerSimulator):
    """The simulator, requesting the voice webhook as Twilio does for a call placed by the agent."""

    async def _webhook(
        self, scenario: str, call_sid: str, caller: str, callee: str
    ) -> tuple[str, dict[str, str]]:
        import httpx
        from twilio.request_validator import RequestValidator

        query = urlencode({"direction": "outbound", "scenario": scenario, "person": PERSON})
        url = f"{self.base_url}/twilio/voice?{query}"
        form = {
            "CallSid": call_sid,
            "From": caller,
            "To": callee,
            "AccountSid": "AC0",
            "Direction": "outbound-api",
            "CallStatus": "in-progress",
        }
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
        if response.status_code != 200:
            raise InputError(f"/twilio/voice answered {response.status_code}: {response.text}")
        stream = ET.fromstring(response.text).find("./Connect/Stream")
        assert stream is not None, response.text
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        return stream.get("url", ""), params


def test_an_english_care_call_asks_for_the_person_and_files_their_answers(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, twilio_auth_token=TOKEN, database_url=f"sqlite:///{tmp_path / 'c.db'}"
    )
    runtime = AgentRuntime(settings)
    engines = VoiceEngines.from_settings(settings)
    app = create_app(settings, runtime, engines=engines, warm_scenarios=["carecall-en"])
    steps = [CallerStep(say="Yes, speaking."), CallerStep(hangup=True, pause=0.5)]

    async def call():
        async with serve_on_loopback(app) as base:
            simulator = _TwilioCallingOut(
                base,
                auth_token=TOKEN,
                synthesizer=engines.synthesizer("en"),
                recognizer=engines.recognizer("en"),
                language="en",
                reply_timeout=40.0,
            )
            result = await simulator.call(
                "carecall-en", steps, caller=AGENT_NUMBER, callee=PERSON_NUMBER
            )
            for _ in range(200):  # the server ends the call just after the stream
                stored = runtime.calls.get_call(result.call_sid)
                if stored is not None and stored.status != "in_progress":
                    break
                await asyncio.sleep(0.05)
        return result

    try:
        result = asyncio.run(call())
        greeting = result.turns[0].agent.lower()
        # "Am I speaking with John Smith?": the person given when the call was placed.
        assert "john smith" in greeting, greeting
        stored = runtime.calls.get_call(result.call_sid)
        assert stored is not None
        assert (stored.direction, stored.scenario_id) == ("outbound", "carecall-en")
        assert (stored.caller, stored.callee) == (AGENT_NUMBER, PERSON_NUMBER)
        (answers,) = runtime.carecall.results("carecall-en")
        assert (answers.person, answers.call_id) == (PERSON, result.call_sid)
        assert answers.answers.get("identity") is True
        assert answers.flagged and "call_incomplete" in answers.reasons  # hung up mid-way
    finally:
        runtime.close()
