"""Carrier protocols (Twilio TwiML webhooks and Media Streams)."""
