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
    assert (
        "아이디 또는 비밀번호가 올바르지 않습니다" in answer.text or "Wrong username" in answer.text
    )
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_logins_are_locked_after_repeated_failures_per_username(client_for) -> None:
    client = client_for()
    for _ in range(LOGIN_FAILURES):
        assert _login_form(client, "acme-operator", "wrong-password-1").status_code == 401
    # the right password is refused too while the lock lasts, with a clear message
    locked = _login_form(client, "acme-operator", PASSWORD)
    assert locked.status_code == 429
    assert "15" in locked.text and ("분 뒤에 다시" in locked.text or "minutes" in locked.text)
    # the same address is locked for other usernames as well (per source address)
    assert _login_form(client_for(), "acme-viewer", PASSWORD).status_code == 429


def test_a_success_clears_the_username_failures(client_for, console_env) -> None:
    from console.models import LoginAttempt

    client = client_for()
    for _ in range(LOGIN_FAILURES - 1):
        _login_form(client, "city-viewer", "wrong-password-1")
    assert _login_form(client, "city-viewer", PASSWORD).status_code == 303
    with console_env.db.session() as session:
        left = session.scalars(
            select(LoginAttempt).where(LoginAttempt.username == "city-viewer")
        ).all()
    assert left == []


def test_an_unsafe_request_without_the_csrf_token_is_refused(client_for) -> None:
    client = client_for("acme-admin")
    token = client.headers.pop("X-CSRF-Token")
    no_token = client.post("/console/admin/tokens", data={"name": "script"})
    assert no_token.status_code == 403
    wrong = client.post("/console/admin/tokens", data={"name": "script", "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    as_field = client.post("/console/admin/tokens", data={"name": "script", "csrf_token": token})
    assert as_field.status_code == 200 and 'id="new-token"' in as_field.text
    as_header = client.post(
        "/api/v1/tokens", json={"name": "script 2"}, headers={"X-CSRF-Token": token}
    )
    assert as_header.status_code == 201
    # the login form has its own token (no session yet)
    page = client_for().get("/console/login")
    assert "csrf_token" in page.text
    forged = client_for().post(
        "/console/login", data={"username": "acme-admin", "password": PASSWORD}
    )
    assert forged.status_code == 403


def test_roles_limit_what_a_user_may_do(client_for) -> None:
    viewer = client_for("acme-viewer")
    assert viewer.get("/console").status_code == 200
    assert viewer.get("/console/admin/users").status_code == 403
    assert viewer.get("/api/v1/users").status_code == 403
    answer = viewer.post(
        "/api/v1/users", json={"username": "mallory", "password": "long-enough-pw", "role": "admin"}
    )
    assert answer.status_code == 403
    operator = client_for("acme-operator")
    assert operator.post("/console/admin/users", data={"username": "x"}).status_code == 403
    admin = client_for("acme-admin")
    made = admin.post(
        "/api/v1/users",
        json={"username": "acme-new", "password": "long-enough-pw", "role": "viewer"},
    )
    assert made.status_code == 201 and made.json()["role"] == "viewer"
    # an admin changes the role; the user then may do the operator's part
    promoted = admin.patch(f"/api/v1/users/{made.json()['id']}", json={"role": "operator"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "operator"
    me = client_for("acme-new", "long-enough-pw").get("/api/v1/me").json()
    assert me["role"] == "operator" and me["org"] == "acme"


def test_an_admin_cannot_demote_or_deactivate_themselves(client_for, console_env) -> None:
    admin = client_for("acme-admin")
    me = console_env.tenants.users["acme-admin"]
    answer = admin.post(f"/console/admin/users/{me}", data={"role": "viewer"})
    assert answer.status_code == 400
    assert "own role" in answer.text or "자신의 역할" in answer.text
    assert admin.get("/api/v1/me").json()["role"] == "admin"


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(client_for, console_env) -> None:
    viewer = client_for("acme-viewer")
    admin = client_for("acme-admin")
    target = console_env.tenants.users["acme-viewer"]
    assert admin.post(f"/console/admin/users/{target}", data={"active": "0"}).status_code == 200
    assert viewer.get("/api/v1/me").status_code == 401
    assert _login_form(client_for(), "acme-viewer", PASSWORD).status_code == 401


def test_an_api_token_works_until_it_is_revoked(client_for) -> None:
    admin = client_for("acme-operator")
    page = admin.post("/console/admin/tokens", data={"name": "nightly export"})
    token = re.search(r'id="new-token" class="token">([^<]+)<', page.text).group(1)
    assert token.startswith("aic_")
    script = client_for()
    bearer = {"Authorization": f"Bearer {token}"}
    me = script.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["username"] == "acme-operator"
    # no CSRF needed with a token: no cookie is involved
    made = script.post("/api/v1/tokens", json={"name": "child"}, headers=bearer)
    assert made.status_code == 201 and made.json()["token"].startswith("aic_")
    listed = {t["name"]: t for t in script.get("/api/v1/tokens", headers=bearer).json()}
    assert listed["nightly export"]["last_used_at"] is not None
    assert listed["child"]["last_used_at"] is None
    # the page lists it by prefix, never in full again
    listing = admin.get("/console/admin/tokens").text
    assert "nightly export" in listing and token not in listing
    token_id = next(
        t["id"] for t in admin.get("/api/v1/tokens").json() if t["name"] == "nightly export"
    )
    assert admin.post(f"/console/admin/tokens/{token_id}/revoke").status_code in (200, 303)
    assert script.get("/api/v1/me", headers=bearer).status_code == 401
    assert (
        script.get("/api/v1/me", headers={"Authorization": "Bearer aic_made-up"}).status_code == 401
    )


def test_changes_are_written_to_the_audit_log(client_for, console_env) -> None:
    admin = client_for("city-admin")
    admin.post(
        "/console/admin/users",
        data={"username": "city-nurse", "password": "long-enough-pw", "role": "operator"},
    )
    with console_env.db.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.org_id == console_env.tenants.orgs["city"])
        ).all()
        actions = [(r.username, r.action, r.target) for r in rows]
    assert ("city-admin", "login", "city-admin") in actions
    assert ("city-admin", "user.create", "city-nurse") in actions
    page = admin.get("/console/admin/audit").text
    assert "user.create" in page and "city-nurse" in page
    # another organisation's log does not show it
    assert "city-nurse" not in client_for("acme-admin").get("/console/admin/audit").text


def test_the_session_cookie_is_httponly_lax_and_secure_on_https(client_for, console_env) -> None:
    from fastapi.testclient import TestClient

    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        client = TestClient(console_env.app, base_url=base)
        page = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={"username": "acme-admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        cookie = next(
            v
            for k, v in answer.headers.multi_items()
            if k == "set-cookie" and "aicall_session=" in v
        )
        flags = cookie.lower()
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["cache-control"] == "no-store"
        assert "httponly" in flags and "samesite=lax" in flags
        assert ("secure" in flags.split("; ")) is secure
    # the cookie holds a random id; the database only its sha256
    with console_env.db.session() as session:
        from console.models import WebSession

        stored = [r.id_hash for r in session.scalars(select(WebSession))]
    sid = cookie.split(";")[0].split("=", 1)[1]
    assert sid not in stored and len(stored) >= 2


def test_logout_ends_the_session(client_for) -> None:
    client = client_for("acme-viewer")
    cookie = client.cookies.get("aicall_session")
    answer = client.post("/console/logout", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")
    replay = client_for()
    replay.cookies.set("aicall_session", cookie)
    assert replay.get("/console", follow_redirects=False).status_code == 303


def test_pages_speak_korean_or_english(client_for) -> None:
    anonymous = client_for()
    assert "로그인" in anonymous.get("/console/login", headers={"Accept-Language": "ko"}).text
    english = anonymous.get("/console/login?lang=en").text
    assert "Log in" in english and '<html lang="en">' in english
    user = client_for("acme-admin")
    switched = user.post("/console/lang", data={"lang": "en", "back": "/console/admin/users"})
    assert switched.status_code == 200 and "Users and roles" in switched.text
    user.post("/console/lang", data={"lang": "ko", "back": "/console"})
    assert "사용자와 역할" in user.get("/console/admin/users").text


def test_every_message_has_korean_and_english() -> None:
    from console.i18n import messages

    missing = [k for k, v in messages().items() if not v.get("ko") or not v.get("en")]
    assert not missing, f"messages without both languages: {missing}"


def test_openapi_lists_the_api_routes_and_not_the_pages(console_app) -> None:
    from fastapi.testclient import TestClient

    doc = TestClient(console_app).get("/openapi.json").json()
    assert "/api/v1/me" in doc["paths"] and "/api/v1/tokens/{token_id}" in doc["paths"]
    assert not [p for p in doc["paths"] if p.startswith("/console")]
    assert TestClient(console_app).get("/docs").status_code == 200


def test_the_first_start_creates_an_admin_with_a_random_password(tmp_path) -> None:
    from agent.store import Database
    from console.bootstrap import bootstrap_console

    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        first = bootstrap_console(db, tmp_path, ["restaurant-en", "clinic-en"])
        again = bootstrap_console(db, tmp_path, ["restaurant-en", "salon-en"])
        with db.session() as session:
            admin = session.scalars(select(User)).one()
            username, password_hash = admin.username, admin.password_hash
    finally:
        db.close()
    assert first.created_admin and first.password and len(first.password) >= 12
    assert not again.created_admin and again.password is None
    assert first.assigned == ("clinic-en", "restaurant-en") and again.assigned == ("salon-en",)
    text = (tmp_path / "console-admin.txt").read_text()
    assert f"password: {first.password}" in text
    assert (tmp_path / "console-admin.txt").stat().st_mode & 0o777 == 0o600
    assert username == "admin" and first.password not in password_hash
    assert password_hash.startswith("$argon2id$")


def test_the_admin_password_setting_is_the_first_admins_password(
    tmp_path, monkeypatch, capsys, shipped_scenarios
) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from agent.config import Settings
    from agent.runtime import AgentRuntime
    from console.app import mount_console

    monkeypatch.setenv("AICALL_CONSOLE_ADMIN_PASSWORD", "from-the-environment")
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path))
    settings = Settings()
    runtime = AgentRuntime(settings, scenarios=shipped_scenarios)
    app = FastAPI()
    try:
        mount_console(app, settings=settings, runtime=runtime)
        printed = capsys.readouterr().out
        client = TestClient(app)
        page = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={
                "username": "admin",
                "password": "from-the-environment",
                "csrf_token": csrf_of(page.text),
            },
            follow_redirects=False,
        )
    finally:
        runtime.close()
    assert answer.status_code == 303
    assert "AICALL_CONSOLE_ADMIN_PASSWORD" in printed and "from-the-environment" not in printed
    assert "console-admin.txt" in printed


def test_a_user_of_two_organisations_switches_between_them(client_for, console_env) -> None:
    from console.accounts import add_membership
    from console.models import Org

    with console_env.db.transaction() as session:
        user = session.get(User, console_env.tenants.users["acme-operator"])
        city = session.get(Org, console_env.tenants.orgs["city"])
        add_membership(session, user, city, "viewer")
    client = client_for("acme-operator")
    home = client.get("/console").text
    assert 'data-testid="count-scenarios">4<' in home and 'id="org-select"' in home
    assert client.post("/console/org", data={"org": "city"}).status_code == 200
    me = client.get("/api/v1/me").json()
    assert (me["org"], me["role"]) == ("city", "viewer")
    assert 'data-testid="count-scenarios">2<' in client.get("/console").text
    # an organisation the user is not in: 404, the session stays where it was
    assert client.post("/console/org", data={"org": "demo"}).status_code == 404
    assert client.get("/api/v1/me").json()["org"] == "city"
    # a one-organisation user gets no switch
    assert 'id="org-select"' not in client_for("city-viewer").get("/console").text


def test_bad_user_input_is_refused_at_the_form_in_both_languages(client_for) -> None:
    admin = client_for("acme-admin")
    taken = admin.post(
        "/console/admin/users",
        data={"username": "city-viewer", "password": "long-enough-pw", "role": "viewer"},
    )
    assert taken.status_code == 400
    assert "already exists" in taken.text and "이미 있는 아이디" in taken.text
    short = admin.post(
        "/console/admin/users", data={"username": "newbie", "password": "short", "role": "viewer"}
    )
    assert short.status_code == 400 and "10" in short.text
    bad_role = admin.post(
        "/api/v1/users", json={"username": "newbie", "password": "long-enough-pw", "role": "root"}
    )
    assert bad_role.status_code == 400 and "viewer" in bad_role.json()["detail"]
    # nothing was created by the refused requests
    names = [u["username"] for u in admin.get("/api/v1/users").json()]
    assert "newbie" not in names and "city-viewer" not in names


def test_a_user_changes_their_own_password(client_for) -> None:
    client = client_for("city-operator")
    other_session = client_for("city-operator")
    wrong = client.post(
        "/console/admin/account/password",
        data={"current": "not-it", "new": "a-new-password", "repeat": "a-new-password"},
    )
    assert wrong.status_code == 400 and "현재 비밀번호" in wrong.text
    differ = client.post(
        "/console/admin/account/password",
        data={"current": PASSWORD, "new": "a-new-password", "repeat": "another-one!"},
    )
    assert differ.status_code == 400
    done = client.post(
        "/console/admin/account/password",
        data={"current": PASSWORD, "new": "a-new-password", "repeat": "a-new-password"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "changed=1" in done.headers["location"]
    # every session of the user ended; the old password no longer works, the new one does
    assert other_session.get("/api/v1/me").status_code == 401
    assert _login_form(client_for(), "city-operator", PASSWORD).status_code == 401
    assert _login_form(client_for(), "city-operator", "a-new-password").status_code == 303


def test_an_expired_session_and_an_htmx_request_are_sent_to_the_login(
    client_for, console_env
) -> None:
    from datetime import timedelta

    from agent.store.models import utcnow
    from console.models import WebSession

    client = client_for("acme-viewer")
    assert client.get("/console", follow_redirects=False).status_code == 200
    with console_env.db.transaction() as session:
        for row in session.scalars(select(WebSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
    page = client.get("/console/admin/tokens", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=%2Fconsole%2Fadmin%2Ftokens"
    # htmx swaps fragments: it is told to load the login page instead of a redirect it would swap
    fragment = client.get("/console/admin/tokens", headers={"HX-Request": "true"})
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"].startswith("/console/login?next=")
    assert client.get("/api/v1/me").status_code == 401
