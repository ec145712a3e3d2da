"""Split reply text into sentences, whole or as it streams in."""

from __future__ import annotations

import re

__all__ = ["SentenceSplitter", "split_sentences"]

# A sentence ends at . ? ! … (or a run of them, with closing quotes) followed by a space.
# "8.30" and "3.5" do not end a sentence: the mark must be followed by whitespace.
_END = re.compile(r"[.?!…。？！]+[\"')\]]*(?=\s)")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped; a trailing fragment without an end mark is kept."""
    splitter = SentenceSplitter()
    out = splitter.feed(text)
    rest = splitter.flush()
    if rest:
        out.append(rest)
    return out


class SentenceSplitter:
    """Collects streamed pieces and hands out each sentence once its end is certain.

    A sentence is complete when its end mark is followed by whitespace (the next piece has
    begun) or when the stream ends (:meth:`flush`).
    """

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        """Add a piece of text; return the sentences it completed."""
        self._buffer += piece
        out: list[str] = []
        while True:
            m = _END.search(self._buffer)
            if m is None:
                return out
            sentence = self._buffer[: m.end()].strip()
            self._buffer = self._buffer[m.end() :]
            if sentence:
                out.append(sentence)

    def flush(self) -> str:
        """The rest of the text (the last sentence, complete or not); empties the buffer."""
        rest, self._buffer = self._buffer.strip(), ""
        return rest

    @property
    def pending(self) -> str:
        """Text received but not yet handed out."""
        return self._buffer
