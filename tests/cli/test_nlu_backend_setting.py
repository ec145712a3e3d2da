"""``AICALL_NLU_BACKEND=rasa-http``: ``aicall chat`` books a table asking a Rasa-speaking server.

The server on loopback answers ``POST /model/parse`` the way Rasa's HTTP API documents it
(intent, confidence, entity spans, ranking); it stands in for a Rasa server trained on the
scenario's exported data. The test proves the setting reaches live calls: every caller line
is sent to the server, and the booking is stored.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli.conftest import Run

NOW = "2026-11-25T10:00"

#: keyword -> intent, first match wins (a stand-in for a trained Rasa model).
INTENTS = {
    "en": [("book", "book"), ("yes", "affirm"), ("no", "deny")],
    "ko": [("예약", "book"), ("네", "affirm"), ("아니요", "deny")],
}
#: surface -> entity name, tagged wherever it occurs.
ENTITIES = {"John Smith": "name", "김민수": "name", "hall": "seating", "홀": "seating"}


class RasaLike(BaseHTTPRequestHandler):
    """``POST /model/parse`` as Rasa answers it; remembers every text it was asked."""

    asked: list[str] = []

    def do_POST(self) -> None:
        if not self.path.startswith("/model/parse"):
            self.send_error(404)
            return
        text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
        type(self).asked.append(text)
        lang = "ko" if any("가" <= ch <= "힣" for ch in text) else "en"
        intent = next((i for k, i in INTENTS[lang] if k in text.lower()), "nlu_fallback")
        conf = 0.3 if intent == "nlu_fallback" else 0.9
        entities = [
            {"entity": e, "start": text.index(s), "end": text.index(s) + len(s), "value": s}
            for s, e in ENTITIES.items()
            if s in text
        ]
        body = json.dumps(
            {
                "text": text,
                "intent": {"name": intent, "confidence": conf},
                "entities": entities,
                "intent_ranking": [{"name": intent, "confidence": conf}],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def rasa() -> Iterator[tuple[str, list[str]]]:
    asked: list[str] = []
    handler = type("Handler", (RasaLike,), {"asked": asked})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", asked
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("scenario", "lines", "booked"),
    [
        (
            "restaurant-en",
            ["I'd like to book a table", "tomorrow at 7 pm for four", "the main hall",
             "my name is John Smith", "yes", "no"],
            ("2026-11-26T19:00:00", 4, "hall", "John Smith"),
        ),
        (
            "restaurant-ko",
            ["예약하고 싶어요", "내일 저녁 7시에 4명이요", "홀로 해 주세요", "김민수입니다", "네",
             "아니요"],
            ("2026-11-26T19:00:00", 4, "hall", "김민수"),
        ),
    ],
)  # fmt: skip
def test_chat_asks_the_rasa_server_and_books(
    aicall: Run,
    rasa: tuple[str, list[str]],
    scenario: str,
    lines: list[str],
    booked: tuple[str, int, str, str],
) -> None:
    url, asked = rasa
    env = {"AICALL_NLU_BACKEND": "rasa-http", "AICALL_NLU_RASA_URL": url}
    done = aicall(
        "chat", "--scenario", scenario, "--caller", "+821012345678", "--now", NOW,
        stdin="\n".join(lines) + "\n", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[call ended: completed]", done.stdout
    assert asked == lines  # every caller turn went to the server, in order
    (booking,) = json.loads(aicall("bookings", "list", "--json", env=env).stdout)
    got = (booking["start"], booking["party_size"], booking["seating"], booking["name"])
    assert got == booked


def test_an_unreachable_rasa_server_is_an_apology_not_a_crash(aicall: Run) -> None:
    env = {"AICALL_NLU_BACKEND": "rasa-http", "AICALL_NLU_RASA_URL": "http://127.0.0.1:9"}
    done = aicall(
        "chat", "--scenario", "restaurant-en", "--now", NOW, stdin="I'd like to book a table\n",
        env=env,
    )  # fmt: skip
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.splitlines()[-1].startswith("[call ended"), done.stdout
