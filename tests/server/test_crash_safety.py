"""``kill -9`` of ``aicall serve`` in the middle of an outbound care call (real processes on
loopback, a simulated Twilio call): the restarted server stores the call as failed with its
events up to the last turn, and the person is flagged to be called again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from agent.journal import INTERRUPTED, CallJournal
from agent.store import CallLog, Database
from agent.voice.simulator import CallerSimulator, CallerStep
from agent.voice.synthesizers import PiperSynthesizer

pytestmark = pytest.mark.timeout(900)  # two server starts and a call; slow on a loaded machine

TOKEN = "crash-test-token"
PERSON, PERSON_NUMBER = "Mary Jones", "+15550100288"
AICALL = str(Path(sys.executable).with_name("aicall"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    """``aicall serve`` as a child process (stdout and stderr to a log file)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.db_url = f"sqlite:///{data_dir / 'aicall.db'}"
        self.log = data_dir / "serve.log"
        self.env = {
            **os.environ,
            "AICALL_DATA_DIR": str(data_dir),
            "AICALL_DATABASE_URL": self.db_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "AICALL_PUBLIC_URL": self.url,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [AICALL, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # the port answers once models and NLU are ready
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"aicall serve did not start:\n{self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class _CareCallCaller(CallerSimulator):
    """The simulator, asking for the voice webhook as Twilio does for a call the agent placed."""

    async def _webhook(self, scenario: str, call_sid: str, caller: str, callee: str):
        from twilio.request_validator import RequestValidator

        query = urlencode({"direction": "outbound", "scenario": scenario, "person": PERSON})
        url = f"{self.base_url}/twilio/voice?{query}"
        form = {"CallSid": call_sid, "From": caller, "To": callee, "AccountSid": "AC0"}
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200, response.text
        stream = ET.fromstring(response.text).find("./Connect/Stream")
        assert stream is not None, response.text
        params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        return stream.get("url", ""), params


def test_a_server_killed_mid_call_marks_it_failed_and_flags_the_person_at_restart(
    tmp_path: Path,
) -> None:
    server = _Server(tmp_path, _free_port())
    server.start()
    try:
        caller = _CareCallCaller(
            server.url,
            auth_token=TOKEN,
            synthesizer=PiperSynthesizer(),
            recognizer=None,
            language="en",
            reply_timeout=40.0,
        )

        async def kill_after_the_first_answer(step: int) -> None:
            if step == 1:  # the agent has answered "Yes, speaking": the call is mid-way
                await asyncio.to_thread(server.kill9)

        steps = [CallerStep(say="Yes, speaking."), CallerStep(say="I'm fine, thank you.")]
        result = asyncio.run(
            caller.call(
                "carecall-en",
                steps,
                caller="+15550100100",
                callee=PERSON_NUMBER,
                before_step=kill_after_the_first_answer,
            )
        )
        assert server.process is not None and server.process.returncode == -signal.SIGKILL
        assert result.ended_by == "agent"  # the stream dropped under the caller

        db = Database(server.db_url)
        try:
            calls = CallLog(db)
            cut = calls.get_call(result.call_sid)
            assert cut is not None and cut.status == "in_progress"  # nobody stored its end
            assert CallJournal(tmp_path / "active").entries()  # but the journal has it
            before = calls.load_events(result.call_sid)
            assert any(e.type == "user" for e in before)  # the caller's answer was stored

            server.start()  # the restart finds it
            ended = calls.get_call(result.call_sid)
            assert ended is not None and ended.status == "failed"
            assert ended.failure_reason == INTERRUPTED and ended.ended_at is not None
            # the events up to the last turn are kept as they were
            assert calls.load_events(result.call_sid) == before
            assert CallJournal(tmp_path / "active").entries() == []
        finally:
            db.close()

        # the operator's report lists the person to be called again
        shown = subprocess.run(
            [AICALL, "carecall", "results", "--json", "--database", server.db_url],
            capture_output=True,
            text=True,
            timeout=120,
            env=server.env,
            check=True,
        )
        (row,) = [r for r in json.loads(shown.stdout) if r["call_id"] == result.call_sid]
        assert row["person"] == PERSON and row["flagged"] is True
        assert row["reasons"] == ["call_incomplete", "interrupted"]
    finally:
        server.stop()
