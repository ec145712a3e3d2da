"""The console's campaigns: create, import with row errors, start, pause, resume, progress (C4, #14).

The real campaign API (agent.campaigns) on the console's database; acme owns carecall-ko/en.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from agent.campaigns import CampaignSpec
from console.models import AuditEntry
from tests.console.c4_data import C4Env, c4_env

__all__ = ["c4_env"]

GOOD = "이름,전화번호,메모\n김영희,010-1234-5678,무릎 수술\n박철수,010-2222-3333,\n이순자,010-4444-5555,\n"
ONE_BAD = "이름,전화번호\n김영희,010-1234-5678\n박철수,010-123\n이순자,010-4444-5555\n"


@pytest.fixture
def client_for(c4_env: C4Env) -> Callable[..., Any]:
    return c4_env.client


def _form(name: str, **changes: str) -> dict[str, str]:
    return {
        "id": name,
        "scenario_id": "carecall-ko",
        "days": "mon-fri",
        "windows": "10:00-12:00, 14:00-17:00",
        "timezone": "Asia/Seoul",
        "holidays": "KR",
        "cap": "3",
        "region": "KR",
        "caller_id": "",
        "machine": "hangup",
        "recurrence": "weekly",
        "retry_no-answer": "1h,x2,3",
        "retry_busy": "15m,x2,3",
        "retry_failed": "30m,x1,2",
        "retry_voicemail": "2h,x1,3",
        **changes,
    }


def test_create_import_start_pause_resume(client_for: Callable, c4_env: C4Env) -> None:
    op = client_for("acme-operator")
    form = op.get("/console/campaigns/new")
    assert form.status_code == 200 and 'name="retry_no-answer"' in form.text
    assert "carecall-ko" in form.text and "clinic-ko" not in form.text  # city's scenario
    # errors are shown at their fields, nothing is created
    bad = op.post("/console/campaigns", data=_form("gangnam", windows="25:00-26:00", cap="0"))
    assert bad.status_code == 422
    assert 'id="e-windows"' in bad.text and 'id="e-cap"' in bad.text
    assert op.get("/console/campaigns/gangnam").status_code == 404
    made = op.post("/console/campaigns", data=_form("gangnam"), follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/console/campaigns/gangnam"
    again = op.post("/console/campaigns", data=_form("gangnam"))
    assert again.status_code == 422 and "exists already" in again.text
    campaign = c4_env.runtime.campaigns.get("gangnam")
    assert (campaign.max_concurrent, campaign.recurrence, campaign.schedule.days) == (
        3,
        "weekly",
        (0, 1, 2, 3, 4),
    )
    assert campaign.retry.rules["busy"].delay == 900
    # a list with one bad row: the row is shown, nothing is imported
    refused = op.post(
        "/console/campaigns/gangnam/import",
        files={"file": ("people.csv", ONE_BAD.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert 'id="import-problems"' in refused.text and "<td>3</td>" in refused.text
    assert "010-123" in refused.text
    assert c4_env.runtime.campaigns.get("gangnam").people == 0
    # the good list (Korean headers): every row in, numbers in E.164
    ok = op.post(
        "/console/campaigns/gangnam/import",
        files={"file": ("people.csv", GOOD.encode(), "text/csv")},
    )
    assert ok.status_code == 200 and 'id="import-result"' in ok.text
    assert c4_env.runtime.campaigns.get("gangnam").people == 3
    # the same people twice: refused with their rows
    twice = op.post(
        "/console/campaigns/gangnam/import",
        files={"file": ("again.csv", GOOD.encode(), "text/csv")},
    )
    assert twice.status_code == 422 and "+821012345678 is already in campaign" in twice.text
    # start needs a caller id
    no_caller = op.post("/console/campaigns/gangnam/start", data={})
    assert no_caller.status_code == 409 and "caller id" in no_caller.text
    started = op.post(
        "/console/campaigns/gangnam/start",
        data={"caller_id": "+827012345678"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    page = op.get("/console/campaigns/gangnam").text
    assert 'hx-get="/console/campaigns/gangnam/progress"' in page  # polls while running
    progress = op.get("/console/campaigns/gangnam/progress").text
    assert '<li data-state="queued"><span class="num">3</span>' in progress
    assert op.post("/console/campaigns/gangnam/pause", follow_redirects=False).status_code == 303
    assert c4_env.runtime.campaigns.get("gangnam").status == "paused"
    assert "hx-trigger" not in op.get("/console/campaigns/gangnam/progress").text
    assert op.post("/console/campaigns/gangnam/pause").status_code == 409  # not running
    assert op.post("/console/campaigns/gangnam/resume", follow_redirects=False).status_code == 303
    assert c4_env.runtime.campaigns.get("gangnam").status == "running"
    exported = op.get("/console/campaigns/gangnam/export.csv").text.lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["name"], r["phone"], r["result"]) for r in rows] == [
        ("김영희", "+821012345678", "waiting"),
        ("박철수", "+821022223333", "waiting"),
        ("이순자", "+821044445555", "waiting"),
    ]
    listing = op.get("/console/campaigns").text
    assert "gangnam" in listing
    with c4_env.db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.target == "gangnam")))
    assert actions == [
        "campaign.create",
        "campaign.import",
        "campaign.start",
        "campaign.pause",
        "campaign.resume",
    ]


def test_roles_and_tenants(client_for: Callable, c4_env: C4Env) -> None:
    c4_env.runtime.campaigns.create(CampaignSpec("acme-roles", "carecall-en"))
    viewer = client_for("acme-viewer")
    assert viewer.get("/console/campaigns/acme-roles").status_code == 200
    draft = viewer.get("/console/campaigns/acme-roles").text
    assert "import-form" not in draft
    assert "캠페인이 준비 중 상태입니다" in draft  # why it waits, in the page's language
    assert viewer.get("/console/campaigns/new").status_code == 403
    assert viewer.post("/console/campaigns", data=_form("viewer-made")).status_code == 403
    files = {"file": ("people.csv", GOOD.encode(), "text/csv")}
    assert viewer.post("/console/campaigns/acme-roles/import", files=files).status_code == 403
    city = client_for("city-admin")
    assert city.get("/console/campaigns/acme-roles").status_code == 404
    assert city.post("/console/campaigns/acme-roles/import", files=files).status_code == 404
    assert city.post("/console/campaigns/acme-roles/start", data={}).status_code == 404
    assert city.get("/api/v1/campaigns/acme-roles").status_code == 404
    assert "acme-roles" not in city.get("/console/campaigns").text
    # city cannot make a campaign of acme's scenario
    stolen = city.post("/api/v1/campaigns", json={"id": "stolen", "scenario_id": "carecall-ko"})
    assert stolen.status_code == 422 and "scenario_id" in stolen.json()["detail"]["errors"]


def test_api_with_an_excel_list(client_for: Callable, c4_env: C4Env) -> None:
    op = client_for("acme-operator")
    created = op.post(
        "/api/v1/campaigns",
        json={
            "id": "api-weekly",
            "scenario_id": "carecall-en",
            "region": "US",
            "days": "daily",
            "windows": "09:00-18:00",
            "timezone": "America/New_York",
            "holidays": "US",
            "cap": 2,
            "retry": {"no-answer": "30m,x2,2"},
        },
    )
    assert created.status_code == 201, created.text
    assert (
        created.json()["retry"].startswith("busy")
        and "no-answer 30m x2 max 2" in created.json()["retry"]
    )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "phone", "timezone"])
    sheet.append(["Margaret Brown", "(201) 555-0123", "America/Chicago"])
    sheet.append(["", "(201) 555-0124", ""])
    sheet.append(["Ruth Jones", "(201) 555-0125", "Mars/Base"])
    raw = io.BytesIO()
    book.save(raw)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    refused = op.post(
        "/api/v1/campaigns/api-weekly/import", files={"file": ("list.xlsx", raw.getvalue(), xlsx)}
    )
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "name"), (4, "timezone")]
    assert refused.json()["people"] == 0
    not_a_list = op.post(
        "/api/v1/campaigns/api-weekly/import", files={"file": ("list.pdf", b"%PDF", "x/y")}
    )
    assert not_a_list.status_code == 422 and ".csv or .xlsx" in not_a_list.json()["error"]
    good = "name,phone\nMargaret Brown,(201) 555-0123\n"
    ok = op.post("/api/v1/campaigns/api-weekly/import", files={"file": ("l.csv", good.encode())})
    assert ok.status_code == 200 and ok.json()["added"] == 1
    started = op.post("/api/v1/campaigns/api-weekly/start", json={"caller_id": "+12015550100"})
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert started.json()["states"] == {"queued": 1}
    listed = [c["id"] for c in op.get("/api/v1/campaigns").json()]
    assert "api-weekly" in listed
