"""Calls, results and campaigns in Debian's Chromium against a real ``aicall serve`` (C4, #14).

Genuine calls are made first through the real runtime on the live server's database; then an
operator finds a call by what was said, opens it, looks at the bookings calendar, sees the
flagged care-call person first and opens their trend plot, creates a campaign and imports a
list with one bad row (shown, nothing imported), then the good list, and starts it.
Screenshots: docs/console/{calls,call,bookings-calendar,carecall,person-trends,campaigns,
campaign-import}.png with AICALL_CONSOLE_SHOTS=1.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest

from console.i18n import t
from tests.console.c4_data import Made, make_calls
from tests.conversation.harness import Clock, make_runtime

pytestmark = pytest.mark.timeout(600)

ONE_BAD = "이름,전화번호\n김영희,010-1234-5678\n박철수,010-123\n이순자,010-4444-5555\n"
GOOD = "이름,전화번호\n김영희,010-1234-5678\n박철수,010-2222-3333\n이순자,010-4444-5555\n"


def _calls_in(data_dir: Path) -> Made:
    clock = Clock()
    runtime = make_runtime(data_dir, clock=clock)
    try:
        return make_calls(runtime, clock)
    finally:
        runtime.close()


def _login(page: Any, base: str, username: str, password: str) -> str:
    page.goto(f"{base}/console/login")
    lang = page.locator("html").get_attribute("lang") or "ko"
    page.get_by_label(t("core.login.username", lang)).fill(username)
    page.get_by_label(t("core.login.password", lang)).fill(password)
    page.get_by_role("button", name=t("core.login.submit", lang)).click()
    page.wait_for_url(re.compile(r".*/console/?$"))
    return page.locator("html").get_attribute("lang") or lang


def test_find_a_call_see_results_and_run_a_campaign(
    live_console: Any, browser_page: Any, shoot: Any, tmp_path: Path
) -> None:
    made = _calls_in(live_console.data_dir)
    page = browser_page
    base = live_console.base_url
    lang = _login(page, base, "acme-operator", live_console.password)

    # calls: the list, then a search over what was said
    page.goto(f"{base}/console/calls")
    page.get_by_role("heading", name=t("calls.title", lang)).wait_for()
    assert page.locator(f'a[href="/console/calls/{made.booking_ko}"]').count() == 1
    assert page.locator(f'a[href="/console/calls/{made.clinic}"]').count() == 0  # city's
    shoot(page, "calls")
    page.get_by_label(t("calls.search", lang)).fill("김민수")
    page.get_by_role("button", name=t("calls.apply", lang)).click()
    page.wait_for_function("() => document.querySelectorAll('#calls a.call-link').length === 1")
    assert "q=" in page.url  # the search is in the address (htmx pushed it)
    page.locator("#calls a.call-link").click()
    page.get_by_role("heading", name=t("calls.transcript", lang)).wait_for()
    assert made.booking_ko in page.url
    transcript = page.locator("ol.transcript")
    assert "김민수입니다" in transcript.inner_text()
    assert "예약이 완료되었습니다" in transcript.inner_text()
    page.locator("section details > summary").click()  # the dialogue events, folded
    assert "create_booking" in page.locator("table.events").inner_text()
    shoot(page, "call")

    # results: the week of 26 November at the restaurant
    page.goto(f"{base}/console/bookings?day=2026-11-26&view=week&venue=hangang-kitchen")
    calendar = page.locator("table.calendar")
    calendar.wait_for()
    assert "김민수" in calendar.inner_text() and "Sarah Lee" in calendar.inner_text()
    shoot(page, "bookings-calendar")
    # one day, by seating area (the day's link in the week's header)
    calendar.locator("thead a").nth(3).click()
    page.wait_for_url(re.compile(r".*view=day.*"))
    row = page.locator("table.calendar tbody tr", has=page.locator("th", has_text="19:00"))
    assert "김민수" in row.inner_text()

    # care calls: the flagged person first, then their trends
    page.goto(f"{base}/console/carecall")
    first = page.locator("table.people tbody tr").first
    first.wait_for()
    assert first.get_attribute("data-person") == "p-001"
    assert "flagged" in (first.get_attribute("class") or "")
    shoot(page, "carecall")
    first.locator("a.person-link").click()
    page.get_by_role("heading", name=t("results.trends", lang)).wait_for()
    page.wait_for_function(
        "() => { const c = document.getElementById('trend-chart');"
        " return c && c.width > 0 && window.Chart && Chart.getChart(c); }"
    )
    points = page.evaluate(
        "() => Chart.getChart(document.getElementById('trend-chart'))"
        ".data.datasets.find(d => d.label === 'mood').data"
    )
    assert points == [1, 0.5, 0]
    shoot(page, "person-trends")

    # campaigns: create, import a list with a bad row (shown; nothing imported), then start
    name = f"browser-{secrets.token_hex(3)}"
    page.goto(f"{base}/console/campaigns/new")
    page.get_by_label(t("campaigns.name", lang)).fill(name)
    page.get_by_label(t("campaigns.scenario", lang)).select_option("carecall-ko")
    page.get_by_label(t("campaigns.cap", lang)).fill("2")
    page.get_by_label(t("campaigns.caller_id", lang)).fill("+827012345678")
    page.get_by_role("button", name=t("campaigns.create", lang)).click()
    page.wait_for_url(f"{base}/console/campaigns/{name}")
    bad = tmp_path / "people.csv"
    bad.write_text(ONE_BAD, encoding="utf-8")
    page.get_by_label(t("campaigns.file", lang)).set_input_files(str(bad))
    page.get_by_role("button", name=t("campaigns.import_button", lang)).click()
    problems = page.locator("#import-problems")
    problems.wait_for()
    assert problems.locator("tbody tr").count() == 1
    assert problems.locator("tbody td").first.inner_text() == "3"
    assert page.locator("#people-count").inner_text() == "0"
    shoot(page, "campaign-import")
    bad.write_text(GOOD, encoding="utf-8")
    page.get_by_label(t("campaigns.file", lang)).set_input_files(str(bad))
    page.get_by_role("button", name=t("campaigns.import_button", lang)).click()
    page.locator("#import-result").wait_for()
    assert page.locator("#people-count").inner_text() == "3"
    page.get_by_role("button", name=t("campaigns.start", lang)).click()
    page.locator("#pause-campaign").wait_for()
    states = page.get_by_test_id("campaign-states")
    assert states.locator('li[data-state="queued"] .num').inner_text() in ("1", "2", "3")
    assert page.locator("#progress").get_attribute("hx-trigger") == "every 2s"
    shoot(page, "campaigns")
    page.locator("#pause-campaign").click()
    page.locator("#resume-campaign").wait_for()


def test_the_same_pages_in_english(live_console: Any, browser_page_factory: Any) -> None:
    page = browser_page_factory(locale="en-US")
    base = live_console.base_url
    lang = _login(page, base, "city-viewer", live_console.password)
    page.goto(f"{base}/console/calls")
    page.get_by_role("heading", name=t("calls.title", lang)).wait_for()
    page.goto(f"{base}/console/bookings?day=2026-11-27&view=day")
    assert page.get_by_role("heading", name=t("results.bookings", lang)).is_visible()
    if lang == "en":
        assert page.get_by_role("heading", name="Bookings").is_visible()
    page.goto(f"{base}/console/campaigns")
    page.get_by_role("heading", name=t("campaigns.title", lang)).wait_for()
    assert page.locator("#new-campaign").count() == 0  # a viewer creates nothing
