"""The console's core in Debian's Chromium against a real ``aicall serve``: log in (Korean and
English), the dashboard, the users page, the language switch, log out (#14)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(600)


def test_log_in_see_the_dashboard_switch_language_and_log_out(
    live_console, browser_page, shoot
) -> None:
    page = browser_page  # a Korean browser (Accept-Language: ko-KR)
    base = live_console.base_url
    assert f"aicall: console at {base}/console" in live_console.log_text()
    page.goto(f"{base}/console")
    assert "/console/login" in page.url  # not logged in: the login page, coming back after
    assert page.locator("html").get_attribute("lang") == "ko"
    page.get_by_role("heading", name="로그인").wait_for()
    shoot(page, "login")

    page.get_by_label("아이디").fill("acme-admin")
    page.get_by_label("비밀번호").fill("wrong password!")
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("alert").get_by_text("아이디 또는 비밀번호가 올바르지 않습니다").wait_for()

    page.get_by_label("비밀번호").fill(live_console.password)
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("heading", name="acme-admin님, 환영합니다").wait_for()
    assert page.get_by_test_id("org-name").inner_text() == "Acme"
    assert page.get_by_test_id("count-scenarios").inner_text() == "4"
    nav = page.get_by_role("navigation", name="주 메뉴")
    for area in ("홈", "시나리오", "통화", "결과", "캠페인", "관리"):
        assert nav.get_by_role("link", name=area, exact=True).is_visible()
    shoot(page, "dashboard")
    # swapped-in rows are wired in the swap's own task: a key pressed right after is not lost
    assert page.evaluate("htmx.config.defaultSettleDelay") == 0

    nav.get_by_role("link", name="관리", exact=True).click()
    page.get_by_role("heading", name="사용자와 역할").wait_for()
    rows = page.locator("tbody tr")
    assert rows.count() == 3  # acme's admin, operator, viewer; nobody of city or demo
    assert "city-admin" not in page.content()
    shoot(page, "admin-users")

    # an API token: shown once, then only its prefix; the audit log has the change
    page.get_by_role("link", name="API 토큰").click()
    page.get_by_label("토큰 이름").fill("nightly export")
    page.get_by_role("button", name="토큰 만들기").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("aic_")
    shoot(page, "admin-tokens")
    with live_console.client() as script:
        me = script.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "acme-admin" and me["org"] == "acme"
    page.goto(f"{base}/console/admin/tokens")
    assert token not in page.content() and "nightly export" in page.content()
    page.get_by_role("link", name="감사 기록").click()
    page.get_by_role("cell", name="token.create").wait_for()
    shoot(page, "admin-audit")
    page.get_by_role("link", name="내 계정").click()
    page.get_by_label("현재 비밀번호").wait_for()
    shoot(page, "admin-account")
    page.get_by_role("link", name="사용자와 역할").click()

    # the switch in the header: the same page in English, and it stays English
    page.get_by_label("언어").select_option("en")
    page.get_by_role("button", name="언어 변경").click()
    page.get_by_role("heading", name="Users and roles").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{base}/console")
    page.get_by_role("heading", name="Welcome, acme-admin").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.get_by_text("You are logged out.").wait_for()
    page.goto(f"{base}/console")
    assert "/console/login" in page.url  # the session is gone

    # an English browser gets the English login page; another tenant's user sees their own
    english = page.context.browser.new_page(locale="en-US")
    english.goto(f"{base}/console/login")
    english.get_by_role("heading", name="Log in").wait_for()
    english.get_by_label("Username").fill("city-viewer")
    english.get_by_label("Password").fill(live_console.password)
    english.get_by_role("button", name="Log in").click()
    english.get_by_role("heading", name="Welcome, city-viewer").wait_for()
    assert english.get_by_test_id("org-name").inner_text() == "City"
    assert english.get_by_test_id("count-scenarios").inner_text() == "2"
    shoot(english, "dashboard-en")
