"""Twilio: TwiML webhooks, request signatures, stream tokens and the Media Streams protocol.

Pipecat-dependent parts (the frame serializer) live in :mod:`telephony.twilio.serializer` and
are imported only by the voice pipeline.
"""

from telephony.twilio.protocol import MediaStreamError, StartMessage, parse_start
from telephony.twilio.signature import is_valid_signature
from telephony.twilio.tokens import StreamGrant, StreamTokenIssuer
from telephony.twilio.twiml import stream_twiml, transfer_twiml

__all__ = [
    "MediaStreamError",
    "StartMessage",
    "StreamGrant",
    "StreamTokenIssuer",
    "is_valid_signature",
    "parse_start",
    "stream_twiml",
    "transfer_twiml",
]
