"""Pipecat logs through loguru at DEBUG by default: the CLI turns that down."""

from __future__ import annotations

import sys

__all__ = ["quiet_pipecat"]


def quiet_pipecat(level: str = "WARNING") -> None:
    """Send loguru (pipecat's logger) to stderr at ``level`` and above only."""
    try:
        from loguru import logger
    except ImportError:  # pragma: no cover - pipecat not installed
        return
    logger.remove()
    logger.add(sys.stderr, level=level)
