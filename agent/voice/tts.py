"""The speech-synthesis seam: a base class that owns sentence streaming, caching and errors.

An implementation fills in one blocking method, :meth:`Synthesizer._synthesize`, for one
sentence. The base splits a reply into sentences and yields the audio of each as soon as it is
ready (the caller hears the first sentence while the rest is synthesised), keeps the audio of
recent sentences in a bounded cache (fixed prompts such as greetings and re-prompts are then
synthesised once per process), runs synthesis off the event loop with a timeout and turns
vendor exceptions into :class:`~common.errors.BackendUnavailableError`.
"""

from __future__ import annotations

import abc
import asyncio
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable

from agent.voice.audio import PcmAudio
from common.errors import AicallError, BackendUnavailableError
from nlg.rewrite import split_sentences

__all__ = ["Synthesizer", "lead_ins", "speech_chunks"]


#: a lead ending on an article ("I'm sorry, the") would split a phrase in two
_ARTICLES = frozenset(("the", "a", "an"))


def lead_ins(templates: Iterable[str]) -> frozenset[str]:
    """The fixed words reply templates begin with before their first value.

    ``"So that's {date} at {time}, ..."`` → ``"So that's"``; a template whose first sentence
    has no value is left out (that sentence is a fixed chunk already).
    """
    out = set()
    for template in templates:
        if "{" not in template:
            continue
        head = template.split("{", 1)[0].strip()
        if head and not re.search(r"[.?!。]", head) and head.split()[-1] not in _ARTICLES:
            out.add(head)
    return frozenset(out)


def speech_chunks(
    text: str, *, max_chars: int = 60, leads: frozenset[str] = frozenset()
) -> list[str]:
    """Split a reply into chunks to synthesise one by one (the first is heard sooner).

    Splits into sentences as the replies do (:func:`nlg.rewrite.split_sentences`); a sentence
    longer than ``max_chars`` is further split at commas into pieces of about that length, so
    a long read-back ("So that's Thursday, ... under John Smith, phone ...") starts playing
    early. A reply that begins with one of ``leads`` (the fixed start of a template, see
    :func:`lead_ins`) has it as a chunk of its own: its audio is cached after the first call,
    so the read-back starts at once while the values are synthesised.
    """
    chunks = _chunks(text, max_chars)
    if chunks and leads:
        first = chunks[0]
        lead = max((x for x in leads if first.startswith(x + " ")), key=len, default=None)
        if lead is not None:
            chunks[:1] = [lead, first[len(lead) :].strip()]
    return chunks


def _chunks(text: str, max_chars: int) -> list[str]:
    chunks: list[str] = []
    for sentence in split_sentences(text):
        if len(sentence) <= max_chars:
            chunks.append(sentence)
            continue
        piece = ""
        for part in re.split(r"(?<=,)\s+", sentence):
            if piece and len(piece) + 1 + len(part) > max_chars:
                chunks.append(piece)
                piece = part
            else:
                piece = f"{piece} {part}" if piece else part
        if piece:
            chunks.append(piece)
    return chunks


class Synthesizer(abc.ABC):
    """Turns text into speech, sentence by sentence.

    Subclasses implement :meth:`_synthesize`. One instance is shared by all calls of a process.

    Args:
        timeout: seconds after which synthesising one sentence counts as failed.
        cache_size: sentences whose audio is kept (0 disables the cache).
    """

    #: Language code the voice speaks (``"en"``, ``"ko"``).
    language: str = "en"
    #: Seconds after which one sentence counts as failed.
    default_timeout: float = 6.0

    def __init__(self, *, timeout: float | None = None, cache_size: int = 256) -> None:
        self.timeout = self.default_timeout if timeout is None else timeout
        self.cache_size = cache_size
        self._cache: OrderedDict[str, PcmAudio] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.cache_hits = 0
        self._pinned: dict[str, PcmAudio] = {}
        #: fixed starts of reply templates, synthesised as chunks of their own (cached)
        self.leads: frozenset[str] = frozenset()

    def learn_templates(self, templates: Iterable[str]) -> None:
        """Note the fixed starts of these reply templates (see :func:`lead_ins`)."""
        found = lead_ins(templates)
        if not found <= self.leads:
            self.leads = self.leads | found

    def warm_up(self) -> None:
        """Load the voice now (blocking) instead of at the first sentence."""
        return None

    def pin(self, text: str) -> None:
        """Synthesise ``text`` now and keep its audio for good (blocking; at warm-up).

        The voice layer's own phrases (apologies, "one moment") are pinned, so the caller
        still hears them when the engine fails or is slow.

        Raises:
            BackendUnavailableError: the engine failed.
        """
        for chunk in speech_chunks(text):
            if chunk not in self._pinned:
                self._pinned[chunk] = self.synthesize_sync(chunk)

    def is_pinned(self, text: str) -> bool:
        """Whether every sentence of ``text`` is pinned (plays without the engine)."""
        chunks = speech_chunks(text)
        return bool(chunks) and all(c in self._pinned for c in chunks)

    def synthesize_sync(self, text: str) -> PcmAudio:
        """Synthesise one sentence, blocking (cached).

        Raises:
            BackendUnavailableError: the engine failed.
        """
        pinned = self._pinned.get(text)
        if pinned is not None:
            return pinned
        with self._cache_lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                self.cache_hits += 1
                return cached
        try:
            audio = self._synthesize(text)
        except AicallError:
            raise
        except Exception as e:
            raise BackendUnavailableError(f"speech synthesis failed: {e}") from e
        if self.cache_size:
            with self._cache_lock:
                self._cache[text] = audio
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return audio

    async def synthesize(self, text: str) -> PcmAudio:
        """Synthesise ``text`` (all sentences) without blocking the event loop."""
        parts = [chunk async for chunk in self.stream(text)]
        if not parts:
            return PcmAudio(b"", self.sample_rate_hint())
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out

    async def stream(self, text: str) -> AsyncIterator[PcmAudio]:
        """Yield the audio of each sentence of ``text`` as soon as it is synthesised.

        Raises:
            BackendUnavailableError: a sentence failed or took longer than ``timeout``.
        """
        for sentence in speech_chunks(text, leads=self.leads):
            started = time.perf_counter()
            try:
                audio = await asyncio.wait_for(
                    asyncio.to_thread(self.synthesize_sync, sentence), self.timeout
                )
            except TimeoutError as e:
                raise BackendUnavailableError(
                    f"speech synthesis took longer than {time.perf_counter() - started:.1f} s"
                ) from e
            yield audio

    def sample_rate_hint(self) -> int:
        """The sample rate of this engine's output (for empty results)."""
        return 16000

    @abc.abstractmethod
    def _synthesize(self, text: str) -> PcmAudio:
        """Synthesise one sentence, blocking."""
