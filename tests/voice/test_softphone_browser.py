"""The browser softphone in Debian's Chromium (Playwright), a WAV file as the microphone."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from agent.config import Settings
from agent.voice.audio import PcmAudio, write_wav

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_softphone_call_shows_the_conversation(tmp_path: Path, engines, voice_data_dir) -> None:
    playwright = pytest.importorskip("playwright.async_api")
    from agent.runtime import AgentRuntime
    from agent.server.app import create_app
    from agent.server.loopback import serve_on_loopback

    # The fake microphone loops this file: quiet during the greeting, then one request.
    speech = engines.synthesizer("en").synthesize_sync("I'd like to book a table.")
    mic = (
        PcmAudio.silence(5.0, speech.sample_rate)
        + speech
        + PcmAudio.silence(20.0, speech.sample_rate)
    )
    wav = tmp_path / "caller.wav"
    wav.write_bytes(write_wav(mic.resample(16000)))

    settings = Settings(
        data_dir=voice_data_dir,
        database_url=f"sqlite:///{tmp_path / 'calls.db'}",
        softphone=True,
        default_scenario="restaurant-en",
    )
    runtime = AgentRuntime(settings, clock=lambda _s: datetime(2026, 11, 25, 10, 0))
    app = create_app(settings, runtime, engines=engines, warm_scenarios=["restaurant-en"])

    async def scenario() -> str:
        async with serve_on_loopback(app) as base, playwright.async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-audio-capture={wav}",
                    "--autoplay-policy=no-user-gesture-required",
                ],
            )
            try:
                page = await browser.new_page()
                await page.goto(f"{base}/softphone")
                await page.select_option("#scenario", "restaurant-en")
                await page.click("#call")
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
                return text
            finally:
                await browser.close()

    try:
        text = asyncio.run(scenario())
    finally:
        runtime.close()
    assert "you: " in text and "book a table" in text.lower()
    assert "you: 1126#" in text or "you: 1126" in text
