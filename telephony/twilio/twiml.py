"""TwiML documents the webhooks answer with."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["busy_twiml", "stream_twiml", "transfer_twiml"]

#: What a caller hears when the agent has no room for another call, per language.
_BUSY = {
    "ko": ("ko-KR", "죄송합니다. 지금은 통화가 많아 연결할 수 없습니다. 잠시 후 다시 걸어 주세요."),
    "en": ("en-US", "Sorry, all our lines are busy right now. Please call again in a few minutes."),
}


def stream_twiml(stream_url: str, parameters: Mapping[str, str]) -> str:
    """``<Connect><Stream>`` to the media WebSocket, with custom ``<Parameter>``s.

    Args:
        stream_url: the ``wss://`` URL of the media endpoint.
        parameters: name/value pairs Twilio hands back in the stream's ``start`` message.
    """
    from twilio.twiml.voice_response import Connect, VoiceResponse

    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=stream_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    response.append(connect)
    return str(response)


def busy_twiml(language: str) -> str:
    """``<Say>`` a polite "all lines are busy" in ``language`` (English if unknown), hang up."""
    from twilio.twiml.voice_response import VoiceResponse

    locale, text = _BUSY.get(language, _BUSY["en"])
    response = VoiceResponse()
    response.say(text, language=locale)
    response.hangup()
    return str(response)


def transfer_twiml(number: str, *, say: str | None = None, language: str | None = None) -> str:
    """``<Dial>`` that hands the call to a person at ``number`` (used through the REST API)."""
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    if say:
        response.say(say, language=language)
    response.dial(number)
    return str(response)
