"""Outbound calls through Twilio's REST API (``Calls.create``) and the URLs they call back.

The agent places a call; when the person answers, Twilio requests the voice webhook of the
call (``/twilio/voice?direction=outbound&scenario=...&person=...``) and the call then runs like
an inbound one over Media Streams. Twilio signs its webhook requests over the full URL, query
string included, so the scenario and the person carried in it are as trustworthy as the rest
of the request. Progress and the final status (``no-answer``, ``busy``, ``failed``...) arrive
at ``/twilio/status`` with the same query.

No state is kept between placing the call and its webhooks: any server process that shares
the auth token can answer them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from common.errors import BackendUnavailableError, InputError, NotConfiguredError

__all__ = [
    "FINAL_STATUSES",
    "UNREACHED_STATUSES",
    "OutboundCall",
    "PlacedCall",
    "TwilioDialer",
    "check_number",
    "hangup_twiml",
    "is_machine",
    "message_twiml",
    "outbound_urls",
]

#: Twilio call statuses after which nothing more happens to the call.
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
#: Final statuses of a call that nobody answered, and the status stored for each.
UNREACHED_STATUSES = {
    "no-answer": "no_answer",
    "busy": "busy",
    "failed": "failed",
    "canceled": "canceled",
}

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
#: Twilio's ring timeout bounds (seconds).
_RING_MIN, _RING_MAX = 5, 600


def check_number(number: str, what: str = "number") -> str:
    """``number`` in E.164 (``+821012345678``), with spaces and dashes removed.

    Raises:
        InputError: not an E.164 number.
    """
    cleaned = re.sub(r"[\s\-().]", "", number or "")
    if not _E164.match(cleaned):
        raise InputError(
            f"{what} {number!r} is not an E.164 phone number like +821012345678 or +15550100100"
        )
    return cleaned


@dataclass(frozen=True)
class OutboundCall:
    """One call to place.

    Attributes:
        to: the number to call (E.164).
        scenario: the scenario the call runs (e.g. ``carecall-ko``).
        person: who is called (stored with the care-call answers and flags).
        from_: the caller id, a Twilio number of the account (E.164).
        ring_timeout: seconds to let the phone ring before Twilio gives up (``no-answer``).
        detect_voicemail: ask Twilio to detect answering machines; a machine is hung up on
            and the call stored as ``voicemail``.
        attempt: the campaign attempt this call is (``agent.campaigns``), carried in the
            webhook URLs as ``attempt=`` so any server process can update it.
        machine_detection: Twilio's ``MachineDetection`` (``Enable`` or ``DetectMessageEnd``
            to leave a message after the beep); overrides ``detect_voicemail``.
    """

    to: str
    scenario: str
    from_: str
    person: str | None = None
    ring_timeout: int = 30
    detect_voicemail: bool = False
    attempt: str | None = None
    machine_detection: str | None = None

    def __post_init__(self) -> None:
        """Normalise the numbers and check the values.

        Raises:
            InputError: a bad number, an empty scenario or a ring timeout out of range.
        """
        object.__setattr__(self, "to", check_number(self.to, "--to"))
        object.__setattr__(self, "from_", check_number(self.from_, "--from"))
        if not self.scenario:
            raise InputError("a call needs a scenario")
        if not _RING_MIN <= self.ring_timeout <= _RING_MAX:
            raise InputError(
                f"ring timeout must be {_RING_MIN}-{_RING_MAX} seconds, got {self.ring_timeout}"
            )
        if self.person is not None and not self.person.strip():
            object.__setattr__(self, "person", None)
        if self.machine_detection not in (None, "Enable", "DetectMessageEnd"):
            raise InputError(
                f"machine detection must be Enable or DetectMessageEnd, got {self.machine_detection!r}"
            )


@dataclass(frozen=True)
class PlacedCall:
    """A call Twilio accepted.

    Attributes:
        sid: Twilio's call SID (the call's id in the store too).
        status: Twilio's status when it answered the request (usually ``queued``).
        call: what was asked.
    """

    sid: str
    status: str
    call: OutboundCall

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON output."""
        return {
            "sid": self.sid,
            "status": self.status,
            "to": self.call.to,
            "from": self.call.from_,
            "scenario": self.call.scenario,
            "person": self.call.person,
        }


def outbound_urls(
    public_url: str, scenario: str, person: str | None, attempt: str | None = None
) -> tuple[str, str]:
    """The voice webhook and status callback URLs of an outbound call.

    Args:
        public_url: the base URL Twilio reaches (``AICALL_PUBLIC_URL``).
        scenario: the scenario id.
        person: who is called, when known.
        attempt: the campaign attempt, when the call is one.

    Returns:
        ``(voice_url, status_url)``, both with ``direction=outbound``, the scenario, the
        person and the attempt in the query string.
    """
    query: dict[str, str] = {"direction": "outbound", "scenario": scenario}
    if person:
        query["person"] = person
    if attempt:
        query["attempt"] = attempt
    base = public_url.rstrip("/")
    encoded = urlencode(query)
    return f"{base}/twilio/voice?{encoded}", f"{base}/twilio/status?{encoded}"


class TwilioDialer:
    """Places outbound calls with twilio's REST client.

    Args:
        account_sid: ``TWILIO_ACCOUNT_SID``.
        auth_token: ``TWILIO_AUTH_TOKEN``.
        public_url: ``AICALL_PUBLIC_URL``, where Twilio fetches the call's TwiML.
        api_base_url: another base URL for the REST API (tests: a local stand-in).
        http_client: a twilio ``HttpClient`` to send requests with (default: twilio's own).
    """

    def __init__(
        self,
        *,
        account_sid: str | None,
        auth_token: str | None,
        public_url: str | None,
        api_base_url: str | None = None,
        http_client: Any = None,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", account_sid),
                ("TWILIO_AUTH_TOKEN", auth_token),
                ("AICALL_PUBLIC_URL", public_url),
            )
            if not value
        ]
        if missing:
            raise NotConfiguredError(
                f"{', '.join(missing)} not set: outbound calls need the Twilio account "
                "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) and the server's public URL "
                "(AICALL_PUBLIC_URL, where `aicall serve` is reachable)"
            )
        assert account_sid and auth_token and public_url  # for mypy: checked above
        if not public_url.startswith(("https://", "http://")):
            raise NotConfiguredError(
                f"AICALL_PUBLIC_URL must be an http(s) URL, got {public_url!r}"
            )
        self.public_url = public_url
        try:
            from twilio.rest import Client
        except ImportError as e:
            raise NotConfiguredError("twilio is not installed; pip install 'aicall[voice]'") from e
        self._client = Client(account_sid, auth_token, http_client=http_client)
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")

    def place(self, call: OutboundCall) -> PlacedCall:
        """Ask Twilio to place ``call`` (blocking: run it off any event loop).

        Raises:
            InputError: Twilio refused the request (a 4xx: bad number, unverified caller id...).
            BackendUnavailableError: Twilio could not be reached or failed (network, 5xx).
        """
        from twilio.base.exceptions import TwilioException, TwilioRestException

        voice_url, status_url = outbound_urls(
            self.public_url, call.scenario, call.person, call.attempt
        )
        options: dict[str, Any] = {}
        if call.machine_detection:
            options["machine_detection"] = call.machine_detection
        elif call.detect_voicemail:
            options["machine_detection"] = "Enable"
        try:
            created = self._client.calls.create(
                to=call.to,
                from_=call.from_,
                url=voice_url,
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                timeout=call.ring_timeout,
                **options,
            )
        except TwilioRestException as e:
            detail = f"Twilio refused the call to {call.to} ({e.status}"
            detail += f", code {e.code}): {e.msg}" if e.code else f"): {e.msg}"
            if 400 <= int(e.status) < 500:
                raise InputError(detail) from e
            raise BackendUnavailableError(detail) from e
        except TwilioException as e:
            raise BackendUnavailableError(f"Twilio could not place the call: {e}") from e
        except OSError as e:  # requests' connection errors are OSErrors
            raise BackendUnavailableError(f"Twilio's API is unreachable: {e}") from e
        if not created.sid:
            raise BackendUnavailableError("Twilio answered without a call SID")
        return PlacedCall(sid=str(created.sid), status=str(created.status or "queued"), call=call)


def hangup_twiml() -> str:
    """``<Hangup/>``: the answer to an outbound call picked up by an answering machine."""
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.hangup()
    return str(response)


def message_twiml(text: str, language: str) -> str:
    """``<Say>`` the words (Twilio's speech synthesis, ``ko-KR`` / ``en-US``), then hang up.

    The answer to an answering machine when a campaign leaves a message after the beep.
    """
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.say(text, language="ko-KR" if language == "ko" else "en-US")
    response.hangup()
    return str(response)


def is_machine(answered_by: str | None) -> bool:
    """Whether Twilio's ``AnsweredBy`` says a machine (voicemail, fax) took the call."""
    return bool(answered_by) and str(answered_by).startswith(("machine", "fax"))
