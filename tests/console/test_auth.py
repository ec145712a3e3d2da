"""Accounts of the console: login, lockout, CSRF, roles, API tokens, audit, cookies (#14)."""

from __future__ import annotations

import re

from sqlalchemy import select

from console.accounts import LOGIN_FAILURES
from console.models import AuditEntry, User
from tests.console.support import PASSWORD, csrf_of


def _login_form(client, username: str, password: str):
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def test_login_with_the_right_password_opens_the_dashboard(client_for) -> None:
    client = client_for()
    answer = _login_form(client, "acme-viewer", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/console"
    home = client.get("/console")
    assert home.status_code == 200
    assert 'data-testid="org-name">Acme<' in home.text
    assert 'data-testid="count-scenarios">4<' in home.text  # acme owns 4 scenarios


def test_a_wrong_password_is_refused_with_a_message(client_for) -> None:
    client = client_for()
    answer = _login_form(client, "acme-viewer", "not-the-password")
    assert answer.status_code == 401
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in answer.text or "Wrong username" in answer.text
    assert client.get("/console", follow_redirects=False).status_code == 303
