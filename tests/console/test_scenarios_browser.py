"""An operator edits a scenario in Debian's Chromium, against a real ``aicall serve``.

Create a scenario from the booking starter, change the persona, add an intent with a
description and an example whose slot is marked by selecting words, see the loader's error at
a field given a bad value, review the diff, save, restore the first version. Screenshots:
docs/console/{scenarios-list,scenario-edit,scenario-intent,scenario-diff,scenario-history}.png
(English) and
scenarios-list-ko.png, scenario-edit-ko.png (Korean) with ``AICALL_CONSOLE_SHOTS=1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.console import support
from tests.console.support import PASSWORD

pytestmark = pytest.mark.timeout(300)

SID = "bistro-en"


def _login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(lambda url: "/login" not in url)


def _validated(page: Any) -> Any:
    return page.expect_response(lambda r: r.url.endswith(f"/console/scenarios/{SID}/validate"))


def _verdict(page: Any, ok: bool) -> None:
    """Wait until the loader's verdict on the draft is shown (htmx swaps it in)."""
    page.locator(f'#check-summary[data-ok="{int(ok)}"]').wait_for()


def _view_shot(page: Any, name: str, tmp: Path) -> None:
    """A screenshot of what the window shows (the editor is much longer than a screen)."""
    support.shoot(page, name, tmp_dir=tmp, full_page=False)


def test_operator_creates_edits_reviews_saves_and_restores_a_scenario(
    live_console: Any, browser_page_factory: Any, shoot: Any, tmp_path: Path
) -> None:
    base = live_console.base_url
    page = browser_page_factory(locale="en-US")
    _login(page, base, "acme-operator")

    # create from the booking starter
    page.goto(f"{base}/console/scenarios")
    page.select_option("#new-kind", "booking")
    page.fill("#new-id", SID)
    page.select_option("#new-language", "en")
    page.click("#create-scenario")
    page.wait_for_url(f"{base}/console/scenarios/{SID}")
    saved_file = live_console.data_dir / "orgs" / "acme" / "scenarios" / f"{SID}.yaml"
    original = saved_file.read_text(encoding="utf-8")
    assert "name: Alex" in original

    # the persona
    with _validated(page):
        page.fill('[name="f:persona.name"]', "Robin")
    _verdict(page, True)

    # a new intent: its name, a description, an example with a slot marked by selecting words
    page.fill("#new-f-intents", "ask_price")
    page.click('[data-add="intents"]')
    description = page.locator('[name="f:intents.ask_price.description"]')
    description.wait_for()
    assert page.input_value('[name="f:persona.name"]') == "Robin"  # the draft kept the edit
    with _validated(page):
        description.fill("The caller asks what a session costs.")
    examples = page.locator('[name="f:intents.ask_price.examples"]')
    examples.fill("how much is a standard session")
    examples.press("End")
    for _ in "standard session":
        examples.press("Shift+ArrowLeft")  # the operator selects the words
    page.select_option("#mark-f-intents__ask_price__examples", "service:basic")
    with _validated(page):
        page.click('[data-path="intents.ask_price.examples"] button.mark')
    assert examples.input_value() == "how much is a [standard session](service:basic)"
    _verdict(page, True)
    page.locator('[data-path="intents.ask_price"]').scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    _view_shot(page, "scenario-intent", tmp_path)

    # a bad value: the loader's error at its field, live
    minutes = page.locator('[name="f:booking.slot_minutes"]')
    with _validated(page):
        minutes.fill("half an hour")
    error = page.locator("#e-booking__slot_minutes")
    page.wait_for_function(
        "document.getElementById('e-booking__slot_minutes').textContent.includes('integer')"
    )
    _verdict(page, False)
    minutes.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")
    _view_shot(page, "scenario-edit", tmp_path)
    with _validated(page):
        minutes.fill("30")
    page.wait_for_function(
        "document.getElementById('e-booking__slot_minutes').textContent.trim() === ''"
    )
    assert error.inner_text().strip() == ""
    _verdict(page, True)

    # the diff before saving
    page.click("#review-button")
    page.locator("#review-panel").wait_for()
    added = page.locator("#review-panel .d-add").all_inner_texts()
    removed = page.locator("#review-panel .d-del").all_inner_texts()
    assert any("name: Robin" in line for line in added)
    assert any("name: Alex" in line for line in removed)
    assert any("[standard session](service:basic)" in line for line in added)
    page.locator("#review-panel").scroll_into_view_if_needed()
    _view_shot(page, "scenario-diff", tmp_path)

    page.fill("#save-message", "Our name, and a price question")
    page.click("#save-button")
    page.wait_for_url(lambda url: "tab=history" in url and "saved=2" in url)
    page.locator("#saved-notice").wait_for()
    text = saved_file.read_text(encoding="utf-8")
    assert "name: Robin" in text and "ask_price:" in text
    assert "# change me: who answers the phone" in text  # the file's comments survive
    rows = page.locator("#versions tbody tr")
    assert rows.count() == 2
    assert "Our name, and a price question" in rows.nth(0).inner_text()
    shoot(page, "scenario-history")

    # restore the first version: a new version with the first text
    page.click('#versions tr[data-version="1"] button')
    page.wait_for_url(lambda url: "saved=3" in url)
    assert saved_file.read_text(encoding="utf-8") == original
    assert page.locator("#versions tbody tr").count() == 3
    assert "restored version 1" in page.locator("#versions tbody tr").nth(0).inner_text()

    # the list: the new scenario first, with who changed it last
    page.goto(f"{base}/console/scenarios")
    row = page.locator(f'tr[data-scenario="{SID}"]')
    assert "acme-operator" in row.inner_text()
    assert "Greenfield Appointments" in row.inner_text()
    shoot(page, "scenarios-list")

    # the same pages in Korean
    ko = browser_page_factory(locale="ko-KR")
    _login(ko, base, "acme-viewer")
    ko.goto(f"{base}/console/scenarios")
    assert "시나리오" in ko.inner_text("h1")
    assert ko.locator("#create-scenario").count() == 0  # a viewer reads only
    shoot(ko, "scenarios-list-ko")
    ko.goto(f"{base}/console/scenarios/{SID}")
    assert "상담원 페르소나" in ko.inner_text("#sec-persona h2")
    assert ko.locator("#review-button").count() == 0
    _view_shot(ko, "scenario-edit-ko", tmp_path)
