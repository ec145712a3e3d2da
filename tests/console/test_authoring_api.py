"""The authoring tabs over HTTP: the JSON API and the htmx pages, as an operator of "acme"."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from authoring.candidates import CandidateStore, store_path

pytestmark = pytest.mark.timeout(180)

SID = "restaurant-en"
API = f"/api/v1/scenarios/{SID}"
PAGE = f"/console/scenarios/{SID}"
HX = {"HX-Request": "true"}


def _wait(client: Any, run_id: str, timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"{API}/runs/{run_id}")
        assert r.status_code == 200, r.text
        run = r.json()
        if run["state"] in ("done", "failed") or time.monotonic() > deadline:
            return run
        time.sleep(0.1)


def test_generate_review_train_parse_through_the_api(client_for, console_env) -> None:
    op = client_for("acme-operator")
    assert op.get(f"{API}/candidates").json() == {"candidates": []}
    r = op.post(f"{API}/intents/faq_parking/generate", json={"method": "deterministic", "n": 6})
    assert r.status_code == 202, r.text
    run = _wait(op, r.json()["run_id"])
    assert run["state"] == "done" and run["kind"] == "augment", run
    assert run["result"]["added"] == len(run["result"]["candidate_ids"]) > 0
    rows = op.get(f"{API}/candidates", params={"state": "pending"}).json()["candidates"]
    assert rows and all(c["intent"] == "faq_parking" and c["generator"] for c in rows)

    one, rest = rows[0]["candidate_id"], [c["candidate_id"] for c in rows[1:]]
    r = op.patch(f"{API}/candidates/{one}", json={"state": "accepted"})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = op.post(f"{API}/candidates/review", json={"candidate_ids": rest, "state": "rejected"})
    assert r.status_code == 200 and len(r.json()["candidates"]) == len(rest)
    store = CandidateStore(store_path(console_env.data_dir, SID), SID)
    assert store.counts()["accepted"] == 1 and store.counts()["pending"] == 0
    assert all(store.get(cid).state == "rejected" for cid in rest)  # type: ignore[union-attr]
    # an edit with a slot the scenario does not have is refused with the reason
    r = op.patch(f"{API}/candidates/{one}", json={"text": "parking for [4](guests)"})
    assert r.status_code == 400 and "unknown slot" in r.json()["detail"]
    assert op.patch(f"{API}/candidates/ffffffffff", json={"state": "accepted"}).status_code == 404
    r = op.post(f"{API}/intents/faq_parking/generate", json={"method": "magic"})
    assert r.status_code == 422

    r = op.post(f"{API}/nlu/train", json={"engine": "classical"})
    assert r.status_code == 202
    run = _wait(op, r.json()["run_id"])
    assert run["state"] == "done", run
    report = op.get(f"{API}/nlu/report").json()
    assert report["latest"]["run_id"] == run["run_id"] and report["previous"] is None
    assert report["latest"]["result"]["accepted"] == 1
    rep = report["latest"]["result"]["report"]
    assert len(rep["matrix"]) == len(rep["labels"]) > 1
    r = op.post(f"{API}/nlu/parse", json={"text": "is there parking near you"})
    assert r.status_code == 200 and r.json()["intent"] and r.json()["model"] == "live model"
    assert op.post(f"{API}/nlu/parse", json={"text": ""}).status_code == 422
    # a weekday is the next one from the venue's today (as in a call), not from a fixed date
    today = console_env.runtime.local_now(console_env.runtime.scenario(SID)).date()
    r = op.post(f"{API}/nlu/parse", json={"text": "a table for two on saturday"})
    dates = [s["value"] for s in r.json()["slots"] if s["name"] == "date"]
    assert len(dates) == 1, r.json()
    day = date.fromisoformat(str(dates[0]))
    assert day.weekday() == 5 and 0 <= (day - today).days < 7, (day, today)


def _roles_and_tenants(client_for) -> None:
    viewer = client_for("acme-viewer")
    assert viewer.get(f"{API}/candidates").status_code == 200
    r = viewer.post(f"{API}/intents/book/generate", json={"method": "deterministic"})
    assert r.status_code == 403
    assert viewer.post(f"{API}/softphone/call").status_code == 403
    city = client_for("city-operator")
    assert city.get(f"{API}/candidates").status_code == 404
    r = city.post(f"{API}/intents/book/generate", json={"method": "deterministic"})
    assert r.status_code == 404
    assert city.get(f"{PAGE}/augment/panel", headers=HX).status_code == 404


def test_pages_review_keyboard_targets_and_goal_run(client_for, console_env) -> None:
    op = client_for("acme-operator")
    page = op.get(f"{PAGE}/augment/panel", headers=HX)
    assert page.status_code == 200 and 'id="aug-generate"' in page.text
    assert "<html" not in page.text  # a partial inside the scenario page
    assert "<html" in op.get(f"{PAGE}/augment/panel").text  # opened directly: a page
    r = op.post(f"{PAGE}/intents/book/generate", data={"method": "deterministic", "n": "5"})
    assert r.status_code == 200 and "data-run=" in r.text
    run_id = r.text.split('data-run="')[1].split('"')[0]
    assert _wait(op, run_id)["state"] == "done"
    done = op.get(f"{PAGE}/runs/{run_id}/status", headers=HX)
    assert 'data-state="done"' in done.text and done.headers["HX-Trigger"] == "augment-done"
    table = op.get(f"{PAGE}/augment/table", params={"state": "pending"}, headers=HX).text
    ids = [part.split('"')[0] for part in table.split('data-id="')[1:]]
    assert len(ids) >= 2
    row = op.post(f"{PAGE}/candidates/{ids[0]}", data={"action": "accept"}, headers=HX)
    assert row.status_code == 200 and 'data-state="accepted"' in row.text
    # the counts above the table follow the decision (swapped out of band)
    counts = row.text.split('id="rev-counts"')[1].split("</p>")[0]
    assert 'hx-swap-oob="true"' in counts and "채택 1," in counts, counts  # a Korean client
    bulk = op.post(
        f"{PAGE}/candidates/review", data={"state": "rejected", "candidate_id": ids[1:]}, headers=HX
    )
    assert bulk.status_code == 200
    assert "rejected" in bulk.text
    bad = op.post(f"{PAGE}/candidates/review", data={"state": "accepted"}, headers=HX)
    assert bad.status_code == 400 and "no candidate selected" in bad.text

    r = op.post(
        f"{PAGE}/goals",
        data={"goal": "a customer wants a table for 2 tomorrow at 7 pm", "n": "1"},
        headers=HX,
    )
    run_id = r.text.split('data-run="')[1].split('"')[0]
    run = _wait(op, run_id)
    assert run["state"] == "done" and len(run["result"]["results"]) == 1
    panel = op.get(f"{PAGE}/goals/panel", headers=HX).text
    assert 'id="goal-results"' in panel
    assert ('<tr class="pass">' in panel) != ('<tr class="fail">' in panel)
    r = op.post(f"{PAGE}/goals", data={"goal": "   "}, headers=HX)
    assert r.status_code == 400
    # a goal naming no task is refused at once, with what is missing
    r = op.post(f"{PAGE}/goals", data={"goal": "someone calls about the weather"}, headers=HX)
    assert r.status_code == 400 and "does not say what the caller wants" in r.text


def _softphone_token_for_a_logged_in_operator(client_for, console_env) -> None:
    op = client_for("acme-operator")
    r = op.post(f"{API}/softphone/call")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scenario"] == SID and body["stream_url"].endswith("/twilio/media")
    grant = console_env.app.state.aicall.issuer.redeem(body["token"])
    assert grant.scenario == SID and grant.caller == "softphone"
    assert grant.call_sid == body["call_sid"]
    # without the CSRF header the session cookie alone is not enough
    del op.headers["X-CSRF-Token"]
    assert op.post(f"{API}/softphone/call").status_code == 403
    panel = op.get(f"{PAGE}/softphone/panel", headers=HX).text
    assert f'data-call-url="{API}/softphone/call"' in panel
    js = op.get("/console/authoring/softphone.js")
    assert js.status_code == 200 and "turn_timing" in js.text and "dataset.callUrl" in js.text


def _recommendation_accepted_into_the_templates(client_for, console_env) -> None:
    op = client_for("acme-operator")
    task = next(iter(console_env.runtime.scenario(SID).tasks))
    points = op.get(f"{API}/recommendations", params={"task": task}).json()["points"]
    point = next(p for p in points if p["template"] and p["slot"])
    assert point["branches"] and point["say"][0]["source"] == "template"
    new = "And how many guests should I put down?" if point["slot"] == "party_size" else "Tell me."
    r = op.post(f"{API}/recommendations/accept", json={"template": point["name"], "text": new})
    assert r.status_code == 200, r.text
    assert int(r.json()["version"]) >= 1
    # the next call uses it, the YAML kept its comments, and the recommendation shows it in use
    assert console_env.runtime.scenario(SID).templates[point["name"]] == new
    again = op.get(f"{API}/recommendations", params={"task": task}).json()["points"]
    assert next(p for p in again if p["name"] == point["name"])["template"] == new
    r = op.post(f"{API}/recommendations/accept", json={"template": "no such key!", "text": "x"})
    assert r.status_code == 400
    viewer = client_for("acme-viewer")
    r = viewer.post(f"{API}/recommendations/accept", json={"template": point["name"], "text": "x"})
    assert r.status_code == 403


def _llm_generation_runs_as_a_job(client_for) -> None:
    """A real, short run of the bundled model: paraphrases of the intent's examples.

    (The zero-shot method takes the same path with ``zero_shot=True``; its grammar-constrained
    JSON is several times slower on this CPU, so the short run here is the few-shot one.)
    """
    op = client_for("acme-operator")
    r = op.post(f"{API}/intents/faq_parking/generate", json={"method": "llm_few_shot", "n": 2})
    assert r.status_code == 202
    run = _wait(op, r.json()["run_id"], timeout=170)
    assert run["state"] == "done", run["error"]
    rows = op.get(f"{API}/candidates").json()["candidates"]
    made = [c for c in rows if c["generator"].startswith("llm_")]
    assert made and all(c["prompt_version"] and c["intent"] == "faq_parking" for c in made)
    assert any(c["seed"] for c in made)  # provenance: the example shown to the model


def test_roles_tenants_softphone_and_templates(client_for, console_env) -> None:
    _roles_and_tenants(client_for)
    _softphone_token_for_a_logged_in_operator(client_for, console_env)
    _recommendation_accepted_into_the_templates(client_for, console_env)


def test_llm_generation_runs_as_a_job(client_for) -> None:
    _llm_generation_runs_as_a_job(client_for)
