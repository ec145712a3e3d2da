"""Carrier protocols (Twilio TwiML webhooks, Media Streams, outbound calls).

May import: :mod:`common`, :mod:`scenarios`, :mod:`nlu`, :mod:`dialogue`, :mod:`nlg`; the
``twilio`` package only inside the functions that use it.
"""
