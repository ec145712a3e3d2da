"""The operator's authoring journey in Debian's Chromium, against a real ``aicall serve``.

Log in, choose an intent (its description shown), generate deterministic candidates, accept
some with the keyboard, train twice (the report, the before/after), try a sentence, run goal
dialogues (PASS/FAIL), call the scenario from the softphone tab with a WAV file as the
microphone and see the transcript. Screenshots: docs/console/{augment-review,train-report,
try-sentence,recommendations,goal-dialogues,softphone}.png with ``AICALL_CONSOLE_SHOTS=1``.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from agent.voice.audio import PcmAudio, read_wav, write_wav
from authoring.candidates import CandidateStore, store_path
from tests.console import support
from tests.console.support import PASSWORD

pytestmark = pytest.mark.timeout(300)

SID = "restaurant-en"


def _caller_wav(folder: Path) -> Path:
    """The fake microphone: quiet during the greeting, one request, then quiet (espeak-ng)."""
    raw = folder / "said.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(raw), "I'd like to book a table."],
        check=True,
        timeout=30,
    )
    speech = read_wav(raw.read_bytes()).resample(16000)
    mic = PcmAudio.silence(6.0, 16000) + speech + PcmAudio.silence(25.0, 16000)
    wav = folder / "caller.wav"
    wav.write_bytes(write_wav(mic))
    return wav


def _login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(lambda url: "/login" not in url)


def _tab(page: Any, base: str, slug: str, lang: str) -> None:
    """The scenario page on one of the authoring tabs (its panel loads with htmx)."""
    page.context.add_cookies([{"name": "aicall_lang", "value": lang, "url": base}])
    page.goto(f"{base}/console/scenarios/{SID}?tab={slug}")
    page.locator("section.authoring").wait_for()


def test_operator_authoring_journey(live_console, browser_page_factory, shoot, tmp_path) -> None:
    base = live_console.base_url
    wav = _caller_wav(tmp_path)
    page = browser_page_factory(
        args=[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
            "--autoplay-policy=no-user-gesture-required",
        ]
    )
    started = time.monotonic()
    _login(page, base, "acme-operator")

    # a first training: the model before any candidate
    _tab(page, base, "train", "en")
    page.click("#train-button")
    page.locator("#report").wait_for()

    # augment: choose the intent, its description is shown; generate; accept with the keyboard
    _tab(page, base, "augment", "ko")
    page.select_option("#aug-intent", "faq_parking")
    assert "parking" in page.inner_text("#aug-description").lower()
    page.select_option("#aug-method", "deterministic")
    page.fill("#aug-n", "8")
    page.click("#aug-generate")
    page.locator('.job[data-state="done"]').wait_for()
    rows = page.locator("table.review tr.cand")
    rows.first.wait_for()
    assert rows.count() >= 3
    page.keyboard.press("j")  # the first row
    first = rows.nth(0).get_attribute("data-id")
    second = rows.nth(1).get_attribute("data-id")
    page.keyboard.press("a")
    page.locator(f'#c-{first}[data-state="accepted"]').wait_for()
    page.locator(f"#c-{second}").wait_for()
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'c-{second}'")
    page.keyboard.press("a")
    page.locator(f'#c-{second}[data-state="accepted"]').wait_for()
    third = rows.nth(2).get_attribute("data-id")
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'c-{third}'")
    page.keyboard.press("r")  # focus moved on to the third: rejected
    page.locator(f'#c-{third}[data-state="rejected"]').wait_for()
    # the counts above the table follow the keys (2 accepted, 1 rejected, in either language)
    page.locator("#rev-counts", has_text=re.compile(r"2 accepted|채택 2")).wait_for()
    shoot(page, "augment-review")
    # the CLI's store holds the decisions
    store = CandidateStore(store_path(live_console.data_dir, SID), SID)
    assert {store.get(first).state, store.get(second).state} == {"accepted"}  # type: ignore[union-attr]

    # train again: the report with the before/after of the last two trainings
    _tab(page, base, "train", "en")
    page.click("#train-button")
    page.locator("#before-after").wait_for(timeout=60_000)
    compared = page.inner_text("#before-after")
    assert "+ 0" in compared and "+ 2" in compared  # accepted candidates: none, then two
    assert page.locator("#confusion tbody tr").count() > 1
    assert "%" in page.inner_text("#acc")
    page.wait_for_function("document.getElementById('acc-chart').dataset.drawn === '1'")
    shoot(page, "train-report")

    page.fill("#try-text", "is there parking near you for 4 people tomorrow")
    page.click("#try-button")
    page.locator("#try-intent").wait_for()
    assert page.inner_text("#try-intent").strip()
    page.locator("#try-out").scroll_into_view_if_needed()
    support.shoot(page, "try-sentence", tmp_dir=tmp_path, full_page=False)

    # recommendations: each point of the booking task, its template and branches
    _tab(page, base, "recommend", "en")
    page.locator("#points tbody tr").first.wait_for()
    assert "→" in page.inner_text("#points")
    shoot(page, "recommendations")

    # goal dialogues as simulated calls: PASS / FAIL with each transcript
    _tab(page, base, "goals", "ko")
    page.fill("#goal-text", "a customer wants a table for 4 tomorrow at 7 pm")
    page.fill("#goal-n", "2")
    page.click("#goals-run")
    page.locator("#goal-results").wait_for(timeout=90_000)
    assert page.locator("#goal-results tbody tr").count() == 2
    page.locator("#goal-results summary").first.click()  # a transcript, opened
    assert "agent>" in page.inner_text("#goal-results")
    shoot(page, "goal-dialogues")

    # talk to it: the softphone tab, a WAV as the microphone
    _tab(page, base, "softphone", "en")
    page.click("#call")
    log = page.locator("#log")
    log.locator(".agent").first.wait_for(timeout=60_000)
    log.locator(".caller").first.wait_for(timeout=90_000)
    log.locator(".agent").nth(1).wait_for(timeout=60_000)
    page.locator("#log .latency").first.wait_for(timeout=30_000)
    text = log.inner_text()
    caller = log.locator(".caller").first.inner_text()
    shoot(page, "softphone")
    page.click("#hangup")
    journey = time.monotonic() - started
    print(f"authoring journey in the browser: {journey:.1f} s")
    # the caller's words went through recognition and the agent answered them; Whisper's reading
    # of espeak-ng through the browser's fake capture varies with load ("…to book a table." /
    # "…tomokatebo."), so only the words it always kept are asserted
    assert "you: " in text and "like" in caller.lower(), text
    assert " ms" in text
