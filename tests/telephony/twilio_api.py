"""A loopback HTTP server that answers like Twilio's Calls API (``POST .../Calls.json``).

It is the neighbour of our code (twilio's own REST client talks to it over real HTTP), so a
stand-in is enough: it checks Basic auth, records each request's form (repeated keys kept as
lists, as Twilio receives ``StatusCallbackEvent``) and answers as Twilio does.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "stand-in-auth-token"
#: Numbers the stand-in refuses like Twilio (400, error 21211) or fails on (500).
INVALID_TO = "+15550000400"
BROKEN_TO = "+15550000500"

_PATH = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/Calls\.json$")


@dataclass
class TwilioStandIn:
    """What the stand-in saw.

    Attributes:
        url: its base URL (``http://127.0.0.1:PORT``).
        requests: each accepted request's form, in order.
    """

    url: str
    requests: list[dict[str, list[str]]] = field(default_factory=list)


def _handler(state: TwilioStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            return None

        def _send(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            match = _PATH.match(self.path)
            expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._send(401, {"code": 20003, "message": "Authenticate", "status": 401})
                return
            if match is None or match.group(1) != ACCOUNT_SID:
                self._send(404, {"code": 20404, "message": "Not found", "status": 404})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            to = form.get("To", [""])[0]
            if to == INVALID_TO:
                message = f"The 'To' number {to} is not a valid phone number."
                self._send(400, {"code": 21211, "message": message, "status": 400})
                return
            if to == BROKEN_TO:
                self._send(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
                return
            state.requests.append(form)
            sid = "CA" + uuid.uuid4().hex
            self._send(
                201,
                {
                    "sid": sid,
                    "account_sid": ACCOUNT_SID,
                    "to": to,
                    "from": form.get("From", [""])[0],
                    "status": "queued",
                    "direction": "outbound-api",
                    "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json",
                },
            )

    return Handler


@contextmanager
def twilio_stand_in() -> Iterator[TwilioStandIn]:
    """Serve the stand-in on a free loopback port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(TwilioStandIn(url="")))
    state = TwilioStandIn(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, name="twilio-stand-in", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
