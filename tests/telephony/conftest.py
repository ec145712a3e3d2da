"""These tests need the ``voice`` extra (twilio, fastapi, pipecat-ai): skip them without it."""

from __future__ import annotations

import importlib.util

_NEEDED = ("twilio", "fastapi", "pipecat")
collect_ignore_glob = [] if all(importlib.util.find_spec(m) for m in _NEEDED) else ["test_*.py"]
