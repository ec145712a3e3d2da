"""RasaHTTPNLU against a real HTTP server on loopback answering like Rasa's /model/parse."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from common.errors import BackendUnavailableError
from nlu.rasa_http import RasaHTTPNLU


class RasaLike(BaseHTTPRequestHandler):
    """Answers POST /model/parse as Rasa's HTTP API documents it."""

    def do_POST(self) -> None:
        if not self.path.startswith("/model/parse"):
            self.send_error(404)
            return
        if "token=secret" not in self.path:
            self.send_error(401, "Unauthorized")
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = body["text"]
        entities = []
        if "7시" in text:
            start = text.index("저녁 7시") if "저녁 7시" in text else text.index("7시")
            span = "저녁 7시" if "저녁 7시" in text else "7시"
            entities.append(
                {
                    "entity": "time",
                    "start": start,
                    "end": start + len(span),
                    "value": span,
                    "extractor": "DIETClassifier",
                    "confidence_entity": 0.97,
                }
            )
        intent = "book" if "예약" in text else "nlu_fallback"
        conf = 0.93 if intent == "book" else 0.2
        answer = {
            "text": text,
            "intent": {"name": intent, "confidence": conf},
            "entities": entities,
            "intent_ranking": [
                {"name": intent, "confidence": conf},
                {"name": "faq_hours", "confidence": 0.05},
            ],
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RasaLike)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_parse_through_rasa(server: str) -> None:
    nlu = RasaHTTPNLU(url=server, token="secret", language="ko", slot_types={"time": "time"})
    res = nlu.parse("내일 저녁 7시에 예약할게요", today=date(2026, 11, 25))
    assert res.intent == "book"
    assert res.confidence == pytest.approx(0.93)
    assert res.alternatives == (("faq_hours", 0.05),)
    slot = res.slot("time")
    assert slot is not None and slot.value == time(19, 0) and slot.text == "저녁 7시"


def test_low_confidence_is_out_of_scope(server: str) -> None:
    nlu = RasaHTTPNLU(url=server, token="secret")
    assert nlu.parse("주식 추천", today=date(2026, 11, 25)).intent == "out_of_scope"


def test_errors_become_backend_unavailable(server: str) -> None:
    with pytest.raises(BackendUnavailableError, match="HTTP 401"):
        RasaHTTPNLU(url=server, token="wrong").parse("예약", today=date(2026, 11, 25))
    with pytest.raises(BackendUnavailableError, match="unreachable"):
        RasaHTTPNLU(url="http://127.0.0.1:9", timeout=0.5).parse("예약", today=date(2026, 11, 25))


def test_selected_by_configuration(server: str) -> None:
    from nlu.config import NLUSettings, make_parser

    backend = make_parser(NLUSettings(backend="rasa-http", rasa_url=server, rasa_token="secret"))
    assert isinstance(backend, RasaHTTPNLU)
    assert backend.parse("예약이요", today=date(2026, 11, 25)).intent == "book"
