"""Comparing what Whisper heard with what was said, the same way on any CPU.

Int8 kernels differ between CPUs, so Whisper's punctuation and capitals do too ('The main
hall, please.' on one machine, 'The main hall please.' on another): tests compare words.
"""

from __future__ import annotations

__all__ = ["words"]


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without punctuation (apostrophes dropped too)."""
    kept = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.replace("'", ""))
    return kept.lower().split()
