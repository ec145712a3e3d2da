"""Counters and latency samples of one LLM client."""

from __future__ import annotations

import statistics
import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["LLMMetrics", "MetricsSnapshot"]

_SAMPLES = 512  # recent samples kept for percentiles; bounded so a long-lived process does not grow


@dataclass(frozen=True)
class MetricsSnapshot:
    """A consistent copy of a client's metrics.

    Attributes:
        calls: calls made (a call with retries counts once).
        failures: calls that ended in an error (timeouts included).
        timeouts: calls that ended in a timeout.
        retries: extra attempts made after a transient failure.
        in_flight: calls currently holding a concurrency slot.
        max_in_flight: the most calls ever holding a slot at once.
        completion_tokens: tokens generated, summed over calls.
        first_token_p50_s: median seconds to the first token (``None`` before any sample).
        first_token_p95_s: 95th percentile seconds to the first token.
        tokens_per_s: median decode speed, tokens per second after the first token.
    """

    calls: int
    failures: int
    timeouts: int
    retries: int
    in_flight: int
    max_in_flight: int
    completion_tokens: int
    first_token_p50_s: float | None
    first_token_p95_s: float | None
    tokens_per_s: float | None


def _percentile(samples: list[float], q: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class LLMMetrics:
    """Thread-safe counters of one client; read them with :meth:`snapshot`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls = 0
        self._failures = 0
        self._timeouts = 0
        self._retries = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._completion_tokens = 0
        self._first_token: deque[float] = deque(maxlen=_SAMPLES)
        self._tps: deque[float] = deque(maxlen=_SAMPLES)

    def call_started(self) -> None:
        """Count a call."""
        with self._lock:
            self._calls += 1

    def call_failed(self, *, timeout: bool) -> None:
        """Count a failed call (and a timeout, when it was one)."""
        with self._lock:
            self._failures += 1
            if timeout:
                self._timeouts += 1

    def retried(self) -> None:
        """Count one retry."""
        with self._lock:
            self._retries += 1

    def enter(self) -> None:
        """A call took a concurrency slot."""
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def leave(self) -> None:
        """A call released its concurrency slot."""
        with self._lock:
            self._in_flight -= 1

    def generation(
        self, *, first_token_s: float | None, total_s: float, completion_tokens: int | None
    ) -> None:
        """Record the timing of a successful generation."""
        with self._lock:
            if completion_tokens:
                self._completion_tokens += completion_tokens
            if first_token_s is not None:
                self._first_token.append(first_token_s)
                decode_s = total_s - first_token_s
                if completion_tokens and completion_tokens > 1 and decode_s > 0:
                    self._tps.append((completion_tokens - 1) / decode_s)
            elif completion_tokens and total_s > 0:
                self._tps.append(completion_tokens / total_s)

    def snapshot(self) -> MetricsSnapshot:
        """Return a consistent copy of the counters and percentiles."""
        with self._lock:
            first = list(self._first_token)
            tps = list(self._tps)
            return MetricsSnapshot(
                calls=self._calls,
                failures=self._failures,
                timeouts=self._timeouts,
                retries=self._retries,
                in_flight=self._in_flight,
                max_in_flight=self._max_in_flight,
                completion_tokens=self._completion_tokens,
                first_token_p50_s=_percentile(first, 0.5),
                first_token_p95_s=_percentile(first, 0.95),
                tokens_per_s=statistics.median(tps) if tps else None,
            )
