"""The log set-up: structured lines with the call id, personal numbers masked, floods counted."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from common.logs import LogThrottle, call_id_var, configure_logging


@pytest.fixture()
def restore_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_lines_carry_time_level_logger_and_the_call_of_the_task(restore_root) -> None:
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    log = logging.getLogger("agent.test")

    async def call(sid: str) -> None:
        call_id_var.set(sid)
        await asyncio.sleep(0)
        log.info("turn done")

    async def two_calls() -> None:
        await asyncio.gather(call("CA" + "1" * 32), call("CA" + "2" * 32))

    asyncio.run(two_calls())
    log.warning("no call here")
    lines = out.getvalue().splitlines()
    assert sorted(line.split(" ")[3] for line in lines[:2]) == [
        "call=CA" + "1" * 32,
        "call=CA" + "2" * 32,
    ]
    stamp, level, name, where, *words = lines[2].split(" ")
    assert stamp.endswith("Z") and (level, name, where) == ("WARNING", "agent.test", "call=-")
    assert " ".join(words) == "no call here"


def test_configure_twice_keeps_one_handler_and_json_lines(restore_root) -> None:
    out = io.StringIO()
    configure_logging("INFO", stream=io.StringIO())
    configure_logging("INFO", "json", stream=out)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_aicall_handler", False)]
    assert len(ours) == 1
    logging.getLogger("uvicorn.error").warning("Started server process")  # uvicorn propagates
    record = json.loads(out.getvalue().splitlines()[-1])
    assert record["logger"] == "uvicorn.error" and record["level"] == "WARNING"


def test_personal_numbers_are_masked_in_log_lines(restore_root) -> None:
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    logging.getLogger("agent.test").warning("caller said %s", "제 주민번호는 900101-1234567이고")
    assert "900101-1234567" not in out.getvalue() and "[RRN]" in out.getvalue()


def test_log_throttle_says_how_many_it_left_out(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    throttle = LogThrottle(logging.getLogger("agent.test"), 10.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING):
        logged = [throttle.warning("token", "rejected: %s", "bad token") for _ in range(50)]
        throttle.warning("json", "rejected: %s", "not JSON")  # another kind: its own line
        now[0] = 11.0
        throttle.warning("token", "rejected: %s", "bad token")
    assert logged == [True] + [False] * 49
    assert [r.getMessage() for r in caplog.records] == [
        "rejected: bad token",
        "rejected: not JSON",
        "rejected: bad token (and 49 more like it in the last 10 s)",
    ]
