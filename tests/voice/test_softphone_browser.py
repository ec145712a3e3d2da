"""The browser softphone in Debian's Chromium (Playwright), a WAV file as the microphone."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agent.config import Settings
from agent.voice.audio import PcmAudio, mulaw_decode, write_wav

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _chromium_args(wav: Path) -> list[str]:
    return [
        "--no-sandbox",
        "--disable-gpu",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
        "--autoplay-policy=no-user-gesture-required",
    ]


@contextlib.asynccontextmanager
async def _called(
    playwright: Any, app: Any, wav: Path, *, watch: Callable[[Any], None] | None = None
) -> AsyncIterator[Any]:
    """The softphone page in Chromium, ``wav`` as its microphone, Call pressed; yields the page.

    ``watch`` sees the page before it loads (to listen to its WebSocket).
    """
    from agent.server.loopback import serve_on_loopback

    async with serve_on_loopback(app) as base, playwright.async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=_chromium_args(wav)
        )
        try:
            page = await browser.new_page()
            if watch is not None:
                watch(page)
            await page.goto(f"{base}/softphone")
            await page.select_option("#scenario", "restaurant-en")
            await page.click("#call")
            yield page
        finally:
            await browser.close()


@pytest.fixture
def softphone_app(tmp_path: Path, engines, voice_data_dir):
    """The agent's app with the softphone page on and restaurant-en warm (runtime closed after)."""
    from agent.runtime import AgentRuntime
    from agent.server.app import create_app

    settings = Settings(
        data_dir=voice_data_dir,
        database_url=f"sqlite:///{tmp_path / 'calls.db'}",
        softphone=True,
        default_scenario="restaurant-en",
    )
    runtime = AgentRuntime(settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0))
    yield create_app(settings, runtime, engines=engines, warm_scenarios=["restaurant-en"])
    runtime.close()


def _level_db(samples: np.ndarray, rate: int, hz: float) -> float:
    """The level of one frequency in ``samples`` (dB, Hann-windowed spectrum peak near ``hz``)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    near = (freqs > hz - 40) & (freqs < hz + 40)
    return float(20 * np.log10(spectrum[near].max() + 1e-9))


def test_softphone_call_shows_the_conversation(tmp_path: Path, engines, softphone_app) -> None:
    playwright = pytest.importorskip("playwright.async_api")

    # The fake microphone loops this file: quiet during the greeting, then one request.
    speech = engines.synthesizer("en").synthesize_sync("I'd like to book a table.")
    mic = (
        PcmAudio.silence(5.0, speech.sample_rate)
        + speech
        + PcmAudio.silence(20.0, speech.sample_rate)
    )
    wav = tmp_path / "caller.wav"
    wav.write_bytes(write_wav(mic.resample(16000)))

    async def scenario() -> str:
        async with _called(playwright, softphone_app, wav) as page:
            log = page.locator("#log")
            await log.get_by_text("agent: Hello, this is Jisoo").wait_for(timeout=30_000)
            await log.get_by_text("What date would you like to book?").wait_for(timeout=60_000)
            # the page's keypad answers as a phone's keys do: 26 November is 1126#
            for key in "1126#":
                await page.click(f'#keypad button[data-key="{key}"]')
            await log.get_by_text("What time would you like?").wait_for(timeout=60_000)
            text = await log.inner_text()
            await page.click("#hangup")
            await page.screenshot(path=str(tmp_path / "softphone.png"))
            return str(text)

    text = asyncio.run(scenario())
    assert "you: " in text and "book a table" in text.lower()
    assert "you: 1126#" in text or "you: 1126" in text


def test_softphone_filters_the_microphone_to_the_phone_band(tmp_path: Path, softphone_app) -> None:
    """What the page sends at 8 kHz holds a 1 kHz tone and not the alias of a 6 kHz one.

    The microphone runs at 44.1 or 48 kHz; 6 kHz is above the phone's 4 kHz limit and must be
    filtered out before keeping one sample in ~6, or it folds back to 2 kHz (8 - 6) over the
    caller's voice. The page's averaging decimator kept it ~10 dB under the 1 kHz tone, enough
    to change Whisper's reading of espeak-ng's "book a table" with the phase of the cut.
    """
    playwright = pytest.importorskip("playwright.async_api")

    rate = 48000
    t = np.arange(int(rate * 4.0)) / rate
    tones = 0.25 * np.sin(2 * np.pi * 1000 * t) + 0.25 * np.sin(2 * np.pi * 6000 * t)
    wav = tmp_path / "tones.wav"
    wav.write_bytes(write_wav(PcmAudio((tones * 32767).astype("<i2").tobytes(), rate)))

    sent: list[bytes] = []

    def on_socket(ws) -> None:
        def on_frame(payload: str | bytes) -> None:
            message = json.loads(payload)
            if message.get("event") == "media":
                sent.append(base64.b64decode(message["media"]["payload"]))

        ws.on("framesent", on_frame)

    async def scenario() -> None:
        def watch(page) -> None:
            page.on("websocket", on_socket)

        async with _called(playwright, softphone_app, wav, watch=watch) as page:
            for _ in range(200):  # 3 s of audio sent (150 frames of 20 ms)
                if len(sent) >= 150:
                    break
                await asyncio.sleep(0.1)
            await page.click("#hangup")

    asyncio.run(scenario())
    assert len(sent) >= 150, f"the page sent {len(sent)} frames of 20 ms"
    assert all(len(frame) == 160 for frame in sent)  # 20 ms of 8 kHz mu-law each
    audio = np.frombuffer(mulaw_decode(b"".join(sent[25:150])), "<i2").astype(np.float64)
    tone, alias = _level_db(audio, 8000, 1000), _level_db(audio, 8000, 2000)
    assert tone > 110, f"the 1 kHz tone did not come through ({tone:.0f} dB)"
    assert tone - alias >= 30, f"6 kHz folded back to 2 kHz only {tone - alias:.0f} dB down"
