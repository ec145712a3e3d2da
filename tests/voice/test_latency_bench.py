"""bench.voice_latency's peer runner (found or skipped cleanly, a process) and its caller process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import voice_latency

#: a stand-in for the peer bot: answers POST /twilio/voice like the stock bot's webhook
_STANDIN = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = b"<Response><Connect><Stream url='ws://127.0.0.1/ws'/></Connect></Response>"
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(sys.argv[sys.argv.index("--port") + 1])), Handler).serve_forever()
"""


def test_the_peer_is_chosen_by_option_then_environment(tmp_path: Path, monkeypatch) -> None:
    bot = tmp_path / "bot.py"
    bot.write_text("print('peer')\n")
    monkeypatch.setenv("AICALL_BENCH_PEER", str(bot))
    assert voice_latency.peer_path(None) == bot
    assert voice_latency.peer_path("") is None  # the option wins: no peer
    assert voice_latency.peer_path(str(tmp_path / "missing.py")) is None
    monkeypatch.setenv("AICALL_BENCH_PEER", "")
    assert voice_latency.peer_path(None) is None


def test_an_absent_peer_is_skipped_with_a_message(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-such-bot.py"
    assert asyncio.run(voice_latency.start_peer(str(missing), tmp_path)) is None
    assert "no-such-bot.py is not there): the peer column is skipped" in capsys.readouterr().out


def test_a_peer_that_fails_to_start_is_skipped(tmp_path: Path, capsys) -> None:
    bot = tmp_path / "bot.py"
    bot.write_text("raise SystemExit(3)\n")
    assert asyncio.run(voice_latency.start_peer(str(bot), tmp_path)) is None
    out = capsys.readouterr().out
    assert "exited with 3" in out and "the peer column is skipped" in out


def test_the_peer_process_is_started_waited_for_and_stopped(tmp_path: Path) -> None:
    bot = tmp_path / "bot.py"
    bot.write_text(_STANDIN)
    peer = voice_latency.Peer(bot, tmp_path, tmp_path / "peer.log")
    try:
        asyncio.run(peer.ready(within=30.0))
        assert peer.process.poll() is None
    finally:
        peer.stop()
    assert peer.process.poll() is not None


def test_a_peer_that_dies_is_reported(tmp_path: Path) -> None:
    bot = tmp_path / "bot.py"
    bot.write_text("import sys\nprint('no whisper here', file=sys.stderr)\nsys.exit(3)\n")
    peer = voice_latency.Peer(bot, tmp_path, tmp_path / "peer.log")
    try:
        with pytest.raises(RuntimeError, match="exited with 3"):
            asyncio.run(peer.ready(within=30.0))
    finally:
        peer.stop()
    assert "no whisper here" in (tmp_path / "peer.log").read_text()


def test_caller_process_answers_jobs_and_reports_a_failed_one(tmp_path: Path) -> None:
    """The bench's caller runs in a process of its own: ready, a job's error comes back, stop."""
    caller = voice_latency.Caller(None, tmp_path / "caller.log")

    async def scenario() -> str:
        await caller.start()
        try:  # nothing listens on a free port: the call fails in the caller's process
            await caller.calls(
                f"http://127.0.0.1:{voice_latency.free_port()}", "t", "restaurant-en"
            )
        except RuntimeError as e:
            return str(e)
        finally:
            await caller.stop()
        return "no error"

    message = asyncio.run(scenario())
    assert message.startswith("the caller process failed:"), message
    assert caller._process is not None and caller._process.returncode == 0
