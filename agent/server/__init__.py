"""The HTTP server: Twilio webhooks, the media WebSocket (and later operator pages)."""

from agent.server.app import ServerState, create_app
from agent.server.loopback import serve_on_loopback, simulate_call

__all__ = ["ServerState", "create_app", "serve_on_loopback", "simulate_call"]
