"""Understanding from a running Rasa server over its HTTP API (``POST /model/parse``).

Rasa cannot be installed on Python 3.11, but a Rasa server elsewhere can answer: this backend
sends ``{"text": ...}`` and reads the documented answer (``intent.name``,
``intent.confidence``, ``entities[].entity/start/end``, ``intent_ranking``). Rasa's entity
spans go through the same slot filling as the own engines (:class:`nlu.slots.SlotFiller`):
typed values are normalised by the project's parsers, category values by the scenario's
synonyms, and a bare answer fills the slot just asked for. Rasa's ``nlu_fallback`` is out of
scope. Errors become :class:`common.errors.BackendUnavailableError`.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from datetime import date
from typing import Any

from common.errors import BackendUnavailableError, NotConfiguredError
from nlu.slots import SlotFiller, Span
from nlu.types import OUT_OF_SCOPE, NLUResult

__all__ = ["RasaHTTPNLU"]

#: The intent Rasa's FallbackClassifier predicts for an utterance it does not understand.
RASA_FALLBACK = "nlu_fallback"


class RasaHTTPNLU:
    """Ask a Rasa server what an utterance means.

    Args:
        url: the server's base URL, e.g. ``http://localhost:5005``.
        token: Rasa's ``--auth-token``, sent as the ``token`` query parameter.
        timeout: seconds per request.
        domain: the domain reported in results.
        language: ``"ko"`` or ``"en"`` for the typed parsers.
        slot_types: slot name -> scenario slot type, to normalise typed values (when no
            ``filler`` is given).
        filler: the scenario's slot filling (see :meth:`nlu.slots.SlotFiller.from_data`).
        oos_threshold: intent confidence under which an utterance without slots is out of scope.
    """

    def __init__(
        self,
        *,
        url: str,
        token: str | None = None,
        timeout: float = 3.0,
        domain: str = "default",
        language: str = "en",
        slot_types: dict[str, str] | None = None,
        oos_threshold: float = 0.3,
        filler: SlotFiller | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            # urllib would also open file:// and other schemes: only a Rasa server is asked
            raise NotConfiguredError(f"the Rasa server URL must be http(s)://..., got {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.domain = domain
        self.language = language
        self.filler = filler or SlotFiller(language=language, slot_types=dict(slot_types or {}))
        self.oos_threshold = oos_threshold

    def _post(self, text: str) -> dict[str, Any]:
        endpoint = f"{self.url}/model/parse"
        if self.token:
            endpoint += f"?token={urllib.parse.quote(self.token)}"
        body = json.dumps({"text": text}).encode("utf-8")
        req = urllib.request.Request(
            endpoint, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # nosec B310 - http(s) only (__init__)
                payload = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            raise BackendUnavailableError(
                f"Rasa server {self.url}: HTTP {e.code} {e.reason}"
            ) from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise BackendUnavailableError(f"Rasa server {self.url} unreachable: {e}") from e
        except ValueError as e:
            raise BackendUnavailableError(f"Rasa server {self.url}: answer is not JSON") from e
        if not isinstance(payload, dict):
            raise BackendUnavailableError(f"Rasa server {self.url}: unexpected answer {payload!r}")
        return payload

    def parse(self, text: str, *, today: date, expected: str | None = None) -> NLUResult:
        """Understand one utterance through the server.

        Raises:
            BackendUnavailableError: the server cannot be reached or answers wrongly.
        """
        if not isinstance(text, str) or not text.strip():
            return NLUResult(text if isinstance(text, str) else "", self.domain, OUT_OF_SCOPE, 1.0)
        payload = self._post(text)
        intent = payload.get("intent") or {}
        name = str(intent.get("name") or OUT_OF_SCOPE)
        if name == RASA_FALLBACK:
            name = OUT_OF_SCOPE
        confidence = float(intent.get("confidence") or 0.0)
        spans: list[Span] = []
        for ent in payload.get("entities") or []:
            try:
                start, end = int(ent["start"]), int(ent["end"])
                slot = str(ent["entity"])
                score = float(ent.get("confidence_entity", 1.0) or 1.0)
            except (KeyError, TypeError, ValueError):
                continue
            if 0 <= start < end <= len(text):
                spans.append((start, end, slot, score))
        slots = self.filler.fill(text, spans, today, expected)
        ranking = [
            (str(r.get("name")), float(r.get("confidence") or 0.0))
            for r in payload.get("intent_ranking") or []
            if isinstance(r, dict) and r.get("name") not in (name, RASA_FALLBACK)
        ]
        if confidence < self.oos_threshold and not slots:
            name = OUT_OF_SCOPE
        return NLUResult(text, self.domain, name, confidence, tuple(slots), tuple(ranking[:2]))

    async def parse_async(
        self, text: str, *, today: date, expected: str | None = None
    ) -> NLUResult:
        """:meth:`parse` in a worker thread, off the event loop."""
        return await asyncio.to_thread(self.parse, text, today=today, expected=expected)
