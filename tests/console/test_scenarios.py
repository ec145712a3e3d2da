"""The Scenarios area of the console through its routes: a real app, SQLite store and loader.

Create from a kind, edit through the form (the loader's problem at its field), diff, save,
versions and restore, the JSON API, roles, tenants, and the running agent using a saved change.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from agent.config import Settings
from cli.common import make_runtime
from cli.scenario_ref import resolve_scenario
from console.deps import CurrentUser
from console.models import AuditEntry
from console.scenario_files import org_scenario_dirs
from console.scenario_store import current_scenario, set_template
from console.scenario_yaml import diff_lines, editor_tree, load_doc
from scenarios.loader import SHIPPED_DIR
from scenarios.starters import new_from_starter


def _create(client: Any, scenario_id: str, kind: str = "booking", language: str = "en") -> Any:
    return client.post(
        "/console/scenarios",
        data={"scenario_id": scenario_id, "kind": kind, "language": language},
        follow_redirects=False,
    )


def _form_of(html: str) -> dict[str, str]:
    """The editor's form as a browser would post it (draft, base sha and every field)."""
    draft = re.search(r'<textarea name="draft" hidden>\n(.*?)</textarea>', html, re.S)
    assert draft is not None
    text = _unescape(draft.group(1))
    base = re.search(r'name="base_sha" value="([0-9a-f]{64})"', html)
    assert base is not None
    fields = {
        f"f:{n.path}": n.value
        for s in editor_tree(load_doc(text))
        for n in s.walk()
        if n.kind in ("text", "long", "choice", "lines", "examples")
    }
    return {"draft": text, "base_sha": base.group(1), **fields}


def _unescape(s: str) -> str:
    return (
        s.replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


def test_create_from_the_booking_starter_edit_review_save_and_use_it(
    client_for: Any, console_env: Any, monkeypatch: Any
) -> None:
    op = client_for("acme-operator")
    created = _create(op, "shop-en")
    assert created.status_code == 303, created.text[:500]
    assert created.headers["location"] == "/console/scenarios/shop-en"
    path = console_env.data_dir / "orgs" / "acme" / "scenarios" / "shop-en.yaml"
    assert path.is_file() and "id: shop-en" in path.read_text(encoding="utf-8")

    listing = op.get("/console/scenarios")
    row = re.search(r'<tr data-scenario="shop-en">(.*?)</tr>', listing.text, re.S)
    assert row is not None and "Greenfield Appointments" in row.group(1)
    assert "acme-operator" in row.group(1)

    page = op.get("/console/scenarios/shop-en?lang=en")
    assert page.status_code == 200
    assert 'name="f:persona.name"' in page.text and 'name="f:intents.book.examples"' in page.text
    assert 'name="f:booking.hours.default.open"' in page.text  # booking: hours in the form
    form = _form_of(page.text)

    # a bad value: the loader's error comes back at its field (out of band into its box)
    bad = {**form, "f:booking.slot_minutes": "half an hour"}
    verdict = op.post("/console/scenarios/shop-en/validate", data=bad)
    assert verdict.status_code == 200
    box = re.search(
        r'<p class="field-error" id="e-booking__slot_minutes" hx-swap-oob="true"[^>]*>(.*?)</p>',
        verdict.text,
        re.S,
    )
    assert box is not None and "integer" in box.group(1)
    assert 'data-ok="0"' in verdict.text

    # add an intent (structural edit on the draft), describe it with an annotated example
    added = op.post(
        "/console/scenarios/shop-en/draft",
        data={**form, "op": "add", "at": "intents", "new:intents": "ask_price"},
    )
    assert added.status_code == 200 and 'name="f:intents.ask_price.description"' in added.text
    form2 = _form_of(added.text)
    form2.update(
        {
            "f:persona.name": "Robin",
            "f:intents.ask_price.description": "The caller asks what a session costs.",
            "f:intents.ask_price.examples": "how much is a [standard session](service:basic)",
        }
    )
    ok = op.post("/console/scenarios/shop-en/validate", data=form2)
    assert 'data-ok="1"' in ok.text

    review = op.post("/console/scenarios/shop-en/review", data=form2)
    assert review.status_code == 200
    assert '<span class="d-add">' in review.text and '<span class="d-del">' in review.text
    assert "+  name: Robin" in review.text
    new_text = re.search(r'<textarea name="yaml" hidden>\n(.*?)</textarea>', review.text, re.S)
    assert new_text is not None

    saved = op.post(
        "/console/scenarios/shop-en/save",
        data={
            "yaml": _unescape(new_text.group(1)),
            "message": "our name and prices",
            "base_sha": form2["base_sha"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:500]
    text = path.read_text(encoding="utf-8")
    assert "name: Robin" in text and "ask_price:" in text
    assert "# change me: who answers the phone" in text  # comments survive the form

    # the running agent uses the saved version: the next call greets with the new name
    # (its NLU is built for the new text; the rules engine keeps this test quick)
    monkeypatch.setattr(console_env.runtime.settings, "nlu_engine", "")
    session = console_env.runtime.new_call("shop-en", caller="+15555550100")
    assert "Robin" in session.start().text
    nlu = console_env.runtime.nlu(console_env.runtime.scenario("shop-en"))
    heard = nlu.parse("how much is a standard session", today=date(2026, 11, 25))
    assert heard.intent == "ask_price"  # the new intent is understood by the next call
    # and a new process (aicall chat builds its runtime this way) finds it by id
    monkeypatch.setenv("AICALL_DATA_DIR", str(console_env.data_dir))
    fresh = make_runtime(console_env.settings.database_url)
    try:
        assert fresh.scenario("shop-en").persona.name == "Robin"
    finally:
        fresh.close()

    history = op.get("/console/scenarios/shop-en?tab=history")
    assert "our name and prices" in history.text and "v2" in history.text
    with console_env.db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.target == "shop-en")))
    assert actions == ["scenario.create", "scenario.save"]


def test_ids_are_unique_across_organisations_and_shipped_scenarios(client_for: Any) -> None:
    acme = client_for("acme-operator")
    assert _create(acme, "bakery-ko", "survey", "ko").status_code == 303
    city = client_for("city-operator")
    again = _create(city, "bakery-ko", "carecall", "ko")
    assert again.status_code == 422
    assert "the id &#39;bakery-ko&#39; is taken" in again.text
    shipped = _create(city, "salon-en")
    assert shipped.status_code == 422 and "taken" in shipped.text
    bad = _create(city, "Bad Id")
    assert bad.status_code == 422 and "scenario id &#39;Bad Id&#39;" in bad.text
    # the other organisation cannot see it at all
    assert city.get("/console/scenarios/bakery-ko").status_code == 404
    assert city.get("/api/v1/scenarios/bakery-ko").status_code == 404
    assert "bakery-ko" not in city.get("/console/scenarios").text


def test_roles_viewer_reads_operator_edits(client_for: Any) -> None:
    viewer = client_for("acme-viewer")
    assert viewer.get("/console/scenarios/restaurant-en").status_code == 200
    assert viewer.get("/api/v1/scenarios/restaurant-en").status_code == 200
    assert _create(viewer, "nope-en").status_code == 403
    body = viewer.get("/api/v1/scenarios/restaurant-en").json()
    put = viewer.put("/api/v1/scenarios/restaurant-en", json={"yaml": body["yaml"] + "\n"})
    assert put.status_code == 403
    admin = client_for("acme-admin")
    assert _create(admin, "admin-made-en").status_code == 303


def test_api_save_validate_conflict_versions_and_restore(client_for: Any, console_env: Any) -> None:
    op = client_for("acme-operator")
    made = op.post("/api/v1/scenarios", json={"id": "poll-en", "kind": "survey", "language": "en"})
    assert made.status_code == 201, made.text
    got = op.get("/api/v1/scenarios/poll-en").json()
    assert got["version"] == 1 and not got["read_only"]
    original = got["yaml"]

    bad = original.replace("max_reprompts: 1", "max_reprompts: many")
    check = op.post("/api/v1/scenarios/poll-en/validate", json={"yaml": bad}).json()
    assert not check["ok"]
    (problem,) = check["problems"]
    assert problem["field"] == "globals.max_reprompts" and problem["line"] is not None
    assert bad.splitlines()[problem["line"] - 1].strip() == "max_reprompts: many"
    refused = op.put("/api/v1/scenarios/poll-en", json={"yaml": bad})
    assert refused.status_code == 422 and "globals.max_reprompts" in refused.json()["detail"]

    edited = original.replace("How satisfied were you", "How happy were you")
    put = op.put(
        "/api/v1/scenarios/poll-en",
        json={"yaml": edited, "message": "warmer", "base_sha": got["sha"]},
    )
    assert put.status_code == 200, put.text
    assert put.json()["version"]["number"] == 2 and put.json()["ok"]
    stale = op.put(
        "/api/v1/scenarios/poll-en",
        json={"yaml": edited + "# again\n", "base_sha": got["sha"]},
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    same = op.put("/api/v1/scenarios/poll-en", json={"yaml": edited})
    assert same.status_code == 422 and same.json()["detail"] == "nothing changed"
    renamed = op.put(
        "/api/v1/scenarios/poll-en", json={"yaml": edited.replace("id: poll-en", "id: x")}
    )
    assert renamed.status_code == 422 and "the id cannot change" in renamed.json()["detail"]

    versions = op.get("/api/v1/scenarios/poll-en/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["by"] == "acme-operator" and versions[0]["message"] == "warmer"
    first = op.get(f"/api/v1/scenarios/poll-en/versions/{versions[1]['id']}").json()
    assert first["yaml"] == original

    restored = op.post(f"/api/v1/scenarios/poll-en/versions/{versions[1]['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"]["number"] == 3
    assert restored.json()["version"]["restored_from"] == 1
    assert op.get("/api/v1/scenarios/poll-en").json()["yaml"] == original
    assert (
        console_env.runtime.scenario("poll-en")
        .templates["ask_satisfaction"]
        .startswith("How satisfied")
    )
    # the restore is itself a version; restoring the current text again changes nothing
    again = op.post(f"/api/v1/scenarios/poll-en/versions/{versions[1]['id']}/restore")
    assert again.status_code == 422

    # another organisation: 404 on every one of these
    city = client_for("city-admin")
    vid = versions[1]["id"]
    assert city.get("/api/v1/scenarios/poll-en/versions").status_code == 404
    assert city.get(f"/api/v1/scenarios/poll-en/versions/{vid}").status_code == 404
    assert city.post(f"/api/v1/scenarios/poll-en/versions/{vid}/restore").status_code == 404
    assert city.put("/api/v1/scenarios/poll-en", json={"yaml": edited}).status_code == 404
    assert city.post("/api/v1/scenarios/poll-en/validate", json={"yaml": edited}).status_code == 404
    assert city.get(f"/console/scenarios/poll-en/versions/{vid}").status_code == 404


def test_the_first_save_of_a_shipped_scenario_writes_the_orgs_copy(
    client_for: Any, console_env: Any
) -> None:
    shipped = SHIPPED_DIR / "restaurant-en.yaml"
    before = shipped.read_text(encoding="utf-8")
    op = client_for("acme-operator")
    got = op.get("/api/v1/scenarios/restaurant-en").json()
    assert got["read_only"] and got["yaml"] == before and got["version"] == 0
    edited = before.replace("version: 1", "version: 2", 1)
    put = op.put("/api/v1/scenarios/restaurant-en", json={"yaml": edited, "base_sha": got["sha"]})
    assert put.status_code == 200, put.text
    assert shipped.read_text(encoding="utf-8") == before  # the package file is untouched
    copy = console_env.data_dir / "orgs" / "acme" / "scenarios" / "restaurant-en.yaml"
    assert copy.read_text(encoding="utf-8") == edited
    versions = op.get("/api/v1/scenarios/restaurant-en/versions").json()
    assert [(v["number"], v["message"]) for v in versions] == [(2, ""), (1, "shipped")]
    assert not op.get("/api/v1/scenarios/restaurant-en").json()["read_only"]
    assert console_env.runtime.scenario("restaurant-en").version == 2


def test_the_version_page_shows_the_diff_and_restores(client_for: Any) -> None:
    op = client_for("acme-operator")
    op.post("/api/v1/scenarios", json={"id": "care-ko", "kind": "carecall", "language": "ko"})
    text = op.get("/api/v1/scenarios/care-ko").json()["yaml"]
    op.put("/api/v1/scenarios/care-ko", json={"yaml": text.replace("name: 하나", "name: 두리")})
    versions = op.get("/api/v1/scenarios/care-ko/versions").json()
    page = op.get(f"/console/scenarios/care-ko/versions/{versions[0]['id']}")
    assert page.status_code == 200
    assert '<span class="d-del">' in page.text and "두리" in page.text
    restore = op.post(
        f"/console/scenarios/care-ko/versions/{versions[1]['id']}/restore", follow_redirects=False
    )
    assert restore.status_code == 303
    assert "saved=3" in restore.headers["location"]
    assert "name: 하나" in op.get("/api/v1/scenarios/care-ko").json()["yaml"]


def test_a_new_process_finds_the_orgs_scenarios_by_id(tmp_path: Any, monkeypatch: Any) -> None:
    folder = tmp_path / "orgs" / "acme" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "mine-en.yaml").write_text(new_from_starter("survey", "en", "mine-en"))
    monkeypatch.setenv("AICALL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("AICALL_SCENARIO_DIRS", raising=False)
    assert org_scenario_dirs(Settings().data_dir) == [folder]
    assert resolve_scenario("mine-en").id == "mine-en"  # aicall chat --scenario mine-en


def test_set_template_saves_a_version_and_keeps_the_rest(client_for: Any, console_env: Any) -> None:
    op = client_for("acme-operator")
    op.post("/api/v1/scenarios", json={"id": "tpl-en", "kind": "booking", "language": "en"})
    before = op.get("/api/v1/scenarios/tpl-en").json()["yaml"]
    with console_env.db.transaction() as session:
        user = CurrentUser(
            user_id=console_env.tenants.users["acme-operator"],
            org_id=console_env.tenants.orgs["acme"],
            org_slug="acme",
            role="operator",
            name="acme-operator",
            lang="en",
            username="acme-operator",
        )
        version, check = set_template(
            session, user, console_env.data_dir, "tpl-en", "ask_time", "What time suits you best?"
        )
        sc = current_scenario(session, user, console_env.data_dir, "tpl-en")
    assert version.number == 2 and check.ok
    assert sc.templates["ask_time"] == "What time suits you best?"
    after = op.get("/api/v1/scenarios/tpl-en").json()["yaml"]
    changed = [d for d in diff_lines(before, after, "a", "b") if d.kind in ("add", "del")]
    assert [d.text for d in changed] == [
        "-  ask_time: What time would suit you?",
        "+  ask_time: What time suits you best?",
    ]


def test_the_yaml_tab_checks_and_reviews_the_typed_text(client_for: Any) -> None:
    op = client_for("acme-operator")
    op.post("/api/v1/scenarios", json={"id": "raw-en", "kind": "survey", "language": "en"})
    text = op.get("/api/v1/scenarios/raw-en").json()["yaml"]
    page = op.get("/console/scenarios/raw-en?tab=yaml")
    assert page.status_code == 200 and 'id="yaml-text"' in page.text
    broken = text.replace("tasks:\n", "tasks: [\n", 1)
    verdict = op.post("/console/scenarios/raw-en/validate", data={"yaml": broken})
    assert 'data-ok="0"' in verdict.text and "invalid YAML" in verdict.text
    edited = text.replace("# change me: who calls", "# who calls (edited as text)")
    review = op.post("/console/scenarios/raw-en/review", data={"yaml": edited})
    assert "+  name: Alex" in review.text and "(edited as text)" in review.text
    assert 'id="save-button"' in review.text


def test_a_refused_addition_says_why_and_keeps_the_edits(client_for: Any) -> None:
    op = client_for("acme-operator")
    op.post("/api/v1/scenarios", json={"id": "keep-en", "kind": "booking", "language": "en"})
    form = _form_of(op.get("/console/scenarios/keep-en").text)
    form["f:persona.name"] = "Robin"
    answer = op.post(
        "/console/scenarios/keep-en/draft",
        data={**form, "op": "add", "at": "intents", "new:intents": "book"},
    )
    assert answer.status_code == 200
    assert 'id="op-error"' in answer.text and "intents.book exists already" in answer.text
    assert 'name="f:persona.name" value="Robin"' in answer.text
    removed = op.post(
        "/console/scenarios/keep-en/draft",
        data={**_form_of(answer.text), "op": "remove", "path": "intents.faq_parking"},
    )
    assert 'name="f:intents.faq_parking.description"' not in removed.text
    # the FAQ answer of the removed intent is now the loader's error, at its field
    assert 'id="e-faq__faq_parking" role="alert"' in removed.text
    assert "no intent &#39;faq_parking&#39; for this answer" in removed.text


def test_a_large_korean_scenario_is_edited_through_the_form(client_for: Any) -> None:
    """The clinic's form (about 200 fields of Korean text, the whole draft) is over the
    webhooks' 64 KB body limit once URL-encoded; the console's paths take it, the webhooks do
    not."""
    city = client_for("city-operator")
    form = _form_of(city.get("/console/scenarios/clinic-ko").text)
    form["f:persona.name"] = "소연"
    size = len(urlencode(form))
    assert size > 64 * 1024
    verdict = city.post("/console/scenarios/clinic-ko/validate", data=form)
    assert verdict.status_code == 200 and 'data-ok="1"' in verdict.text
    review = city.post("/console/scenarios/clinic-ko/review", data=form)
    assert "+  name: 소연" in review.text
    webhook = city.post("/twilio/voice", content=b"x" * (64 * 1024 + 1))
    assert webhook.status_code == 413


def test_a_setting_the_file_lacks_is_added_through_the_form(client_for: Any) -> None:
    op = client_for("acme-operator")
    op.post("/api/v1/scenarios", json={"id": "hand-en", "kind": "booking", "language": "en"})
    page = op.get("/console/scenarios/hand-en")
    assert 'name="newfield:globals"' in page.text
    form = {**_form_of(page.text), "f:globals.fallback": "handover"}
    added = op.post(
        "/console/scenarios/hand-en/draft",
        data={**form, "op": "field", "at": "globals", "newfield:globals": "handover_number"},
    )
    assert 'name="f:globals.handover_number"' in added.text
    assert 'data-focus="globals.handover_number"' in added.text
    form = {**_form_of(added.text), "f:globals.handover_number": "+15555550123"}
    verdict = op.post("/console/scenarios/hand-en/validate", data=form)
    assert 'data-ok="1"' in verdict.text


def test_an_unreadable_draft_and_a_refused_save_say_why_in_the_check_box(client_for: Any) -> None:
    op = client_for("acme-operator")
    op.post("/api/v1/scenarios", json={"id": "odd-en", "kind": "survey", "language": "en"})
    got = op.get("/api/v1/scenarios/odd-en").json()
    # a draft that is not YAML at all: the check box says so (validate and review alike)
    for route in ("validate", "review"):
        said = op.post(f"/console/scenarios/odd-en/{route}", data={"draft": "tasks: ["})
        assert said.status_code == 200
        assert '<p class="error" role="alert" id="check-summary">invalid YAML' in said.text
        assert "data-ok" not in said.text and "save-form" not in said.text
    # the page's save: someone saved in between (409), nothing changed (422)
    edited = got["yaml"].replace("name: Alex", "name: Kim", 1)
    assert op.put("/api/v1/scenarios/odd-en", json={"yaml": edited}).status_code == 200
    stale = op.post(
        "/console/scenarios/odd-en/save", data={"yaml": got["yaml"], "base_sha": got["sha"]}
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    same = op.post("/console/scenarios/odd-en/save", data={"yaml": edited})
    assert same.status_code == 422 and 'id="check-summary">nothing changed' in same.text
