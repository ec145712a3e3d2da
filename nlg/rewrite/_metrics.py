"""Counters of LLM-backed replies: passed, fallen back (by reason), verbatim; latencies."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field

__all__ = ["RewriteMetrics", "RewriteSnapshot"]

_WINDOW = 512


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


@dataclass(frozen=True)
class RewriteSnapshot:
    """A copy of the counters.

    Attributes:
        turns: turns worded through the rewriter.
        passed: turns whose LLM wording passed the checks and was spoken.
        fallbacks: turns that fell back to the template, by primary reason.
        reasons: every check reason seen (a reply may fail for several).
        verbatim: turns with nothing the LLM may reword (no LLM call).
        first_token_p50_s, first_token_p95_s: LLM first-token latency.
        total_p50_s, total_p95_s: LLM latency to the whole reply.
    """

    turns: int = 0
    passed: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    verbatim: int = 0
    first_token_p50_s: float | None = None
    first_token_p95_s: float | None = None
    total_p50_s: float | None = None
    total_p95_s: float | None = None

    @property
    def fallback_total(self) -> int:
        """All fallbacks, whatever the reason."""
        return sum(self.fallbacks.values())


class RewriteMetrics:
    """Thread-safe counters, shared by every call of a process (no per-call data kept)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._turns = 0
        self._passed = 0
        self._verbatim = 0
        self._fallbacks: Counter[str] = Counter()
        self._reasons: Counter[str] = Counter()
        self._first: deque[float] = deque(maxlen=_WINDOW)
        self._total: deque[float] = deque(maxlen=_WINDOW)

    def verbatim(self) -> None:
        """A turn with nothing to reword."""
        with self._lock:
            self._turns += 1
            self._verbatim += 1

    def passed(self) -> None:
        """The LLM's wording was spoken."""
        with self._lock:
            self._turns += 1
            self._passed += 1

    def fallback(self, reasons: tuple[str, ...]) -> None:
        """The template was spoken instead; the first reason is the primary one."""
        with self._lock:
            self._turns += 1
            self._fallbacks[reasons[0] if reasons else "unknown"] += 1
            self._reasons.update(reasons)

    def latency(self, first_token_s: float | None, total_s: float | None) -> None:
        """Record the timings of one LLM call."""
        with self._lock:
            if first_token_s is not None:
                self._first.append(first_token_s)
            if total_s is not None:
                self._total.append(total_s)

    def snapshot(self) -> RewriteSnapshot:
        """A consistent copy of the counters."""
        with self._lock:
            first, total = list(self._first), list(self._total)
            return RewriteSnapshot(
                turns=self._turns,
                passed=self._passed,
                fallbacks=dict(self._fallbacks),
                reasons=dict(self._reasons),
                verbatim=self._verbatim,
                first_token_p50_s=_percentile(first, 0.5),
                first_token_p95_s=_percentile(first, 0.95),
                total_p50_s=_percentile(total, 0.5),
                total_p95_s=_percentile(total, 0.95),
            )
