"""Pipecat logs through loguru at DEBUG by default: the CLI turns that down.

Its records are handed to the standard :mod:`logging` (logger ``pipecat.*``), so they get the
same structured, redacted lines as the app's own (:func:`common.logs.configure_logging`).
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["quiet_pipecat"]


def _to_logging(message: Any) -> None:
    record = message.record
    name = record["name"] or "pipecat"
    logging.getLogger(name).log(record["level"].no, "%s", record["message"])


def quiet_pipecat(level: str = "WARNING") -> None:
    """Send loguru (pipecat's logger) at ``level`` and above to :mod:`logging`."""
    try:
        from loguru import logger
    except ImportError:  # pragma: no cover - pipecat not installed
        return
    logger.remove()
    logger.add(_to_logging, level=level, format="{message}")
