"""The console's campaigns: the org's campaigns over :class:`agent.campaigns.Campaigns`.

A campaign is the org's when its scenario is. Creating one reads the same fields as
``aicall campaign create`` (days, windows, cap, a retry rule per outcome); importing a list
uses the real importer (:func:`agent.campaigns.read_people`): every bad row is shown and
nothing is stored unless every row is good.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agent.campaigns import (
    Campaign,
    Campaigns,
    CampaignSpec,
    CampaignStatus,
    ImportProblem,
    ImportReport,
    MachinePolicy,
    RetryPolicy,
    RetryRule,
    Schedule,
    read_people,
)
from agent.campaigns.policy import DEFAULT_MESSAGES, RETRY_OUTCOMES, parse_days, parse_window
from agent.store.campaign_models import CampaignPerson
from common.errors import InputError
from console.i18n import t
from console.queries_calls import NotFound
from scenarios.schema import Scenario
from telephony.twilio.outbound import check_number

__all__ = [
    "RETRY_OUTCOMES",
    "CampaignForm",
    "ImportResult",
    "build_spec",
    "import_list",
    "org_campaigns",
    "owned_campaign",
    "status_dict",
    "why_waiting",
]

#: Largest list file accepted from the browser.
MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # what the server accepts under /console and /api/v1


@dataclass
class CampaignForm:
    """The create form's fields, as text (kept to show the form again with its errors)."""

    id: str = ""
    scenario_id: str = ""
    days: str = "mon-fri"
    windows: str = "10:00-12:00, 14:00-17:00"
    timezone: str = "Asia/Seoul"
    holidays: str = "KR"
    cap: str = "5"
    region: str = "KR"
    caller_id: str = ""
    machine: str = "hangup"
    recurrence: str = "once"
    retry: dict[str, str] = field(
        default_factory=lambda: {
            o: _rule_text(r) for o, r in RetryPolicy().rules.items() if o in RETRY_OUTCOMES
        }
    )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CampaignForm:
        """From a submitted form (or a JSON body): ``retry_no-answer`` or ``retry: {...}``."""
        form = cls()
        for name in (
            "id",
            "scenario_id",
            "days",
            "windows",
            "timezone",
            "holidays",
            "cap",
            "region",
            "caller_id",
            "machine",
            "recurrence",
        ):
            if name in data and data[name] is not None:
                setattr(form, name, str(data[name]).strip())
        retry = data.get("retry")
        for outcome in RETRY_OUTCOMES:
            value = (
                retry.get(outcome) if isinstance(retry, Mapping) else data.get(f"retry_{outcome}")
            )
            if value is not None and str(value).strip():
                form.retry[outcome] = str(value).strip()
        return form


def _rule_text(rule: RetryRule) -> str:
    delay = rule.delay
    unit = "m"
    amount = delay / 60
    if delay % 3600 == 0:
        unit, amount = "h", delay / 3600
    return f"{amount:g}{unit},x{rule.backoff:g},{rule.max_attempts}"


def build_spec(
    form: CampaignForm, scenarios: Mapping[str, Scenario], scenario_ids: Collection[str]
) -> tuple[CampaignSpec | None, dict[str, str]]:
    """The campaign a form describes, or the errors per field (``{"days": "..."}``)."""
    errors: dict[str, str] = {}

    def check(name: str, fn: Any) -> Any:
        try:
            return fn()
        except (InputError, ValueError) as e:
            errors[name] = str(e)
            return None

    scenario = scenarios.get(form.scenario_id) if form.scenario_id in scenario_ids else None
    if scenario is None:
        errors["scenario_id"] = f"unknown scenario {form.scenario_id!r}"
    if not form.id:
        errors["id"] = "a name is needed, e.g. gangnam-weekly"
    days = check("days", lambda: parse_days(form.days))
    windows = check(
        "windows",
        lambda: tuple(parse_window(w) for w in re.split(r"[,\n;]+", form.windows) if w.strip()),
    )
    if windows == () and "windows" not in errors:
        errors["windows"] = "at least one calling window, e.g. 10:00-12:00"
    cap = check("cap", lambda: int(form.cap))
    if cap is not None and not 1 <= cap <= 500:
        errors["cap"] = f"calls at once: 1 to 500, not {cap}"
        cap = None
    holidays = None if form.holidays.strip().lower() in ("", "none", "-") else form.holidays
    schedule = None
    if days and windows:
        schedule = check(
            "timezone",
            lambda: Schedule(
                days=days,
                windows=windows,
                timezone=form.timezone,
                holidays=holidays.upper() if holidays else None,
            ),
        )
    rules: dict[str, RetryRule] = {}
    for outcome in RETRY_OUTCOMES:
        text = form.retry.get(outcome, "")
        if text:
            rule = check(f"retry_{outcome}", lambda text=text: RetryRule.parse(text))
            if rule is not None:
                rules[outcome] = rule
    caller_id = (
        check("caller_id", lambda: check_number(form.caller_id, "caller id"))
        if form.caller_id
        else None
    )
    if form.machine not in ("hangup", "message", "off"):
        errors["machine"] = "hangup, message or off"
    language = scenario.language if scenario is not None else "ko"
    machine = check(
        "machine",
        lambda: MachinePolicy(
            form.machine, DEFAULT_MESSAGES[language] if form.machine == "message" else ""
        ),
    )
    if errors or schedule is None or cap is None or machine is None:
        return None, errors
    spec = check(
        "id",
        lambda: CampaignSpec(
            id=form.id,
            scenario_id=form.scenario_id,
            language=language,
            region=form.region.upper() or "KR",
            caller_id=caller_id,
            max_concurrent=cap,
            schedule=schedule,
            retry=RetryPolicy().with_rules(rules),
            machine=machine,
            recurrence=form.recurrence,
        ),
    )
    if spec is None:
        msg = errors.pop("id", "")
        # CampaignSpec names the field in its message: put the error there
        for name, word in (("cap", "--cap"), ("recurrence", "recurrence")):
            if word in msg:
                errors[name] = msg
                break
        else:
            errors["id"] = msg
    return spec, errors


def org_campaigns(campaigns: Campaigns, scenario_ids: Collection[str]) -> list[CampaignStatus]:
    """The org's campaigns, by name, with where each stands."""
    return [campaigns.status(c.id) for c in campaigns.all() if c.scenario_id in scenario_ids]


def owned_campaign(
    campaigns: Campaigns, scenario_ids: Collection[str], campaign_id: str
) -> Campaign:
    """The org's campaign ``campaign_id``.

    Raises:
        NotFound: unknown or another org's.
    """
    try:
        campaign = campaigns.get(campaign_id)
    except InputError:
        raise NotFound(campaign_id) from None
    if campaign.scenario_id not in scenario_ids:
        raise NotFound(campaign_id)
    return campaign


@dataclass(frozen=True)
class ImportResult:
    """What an upload did: how many people were added (0 when refused) and every problem."""

    source: str
    added: int
    problems: tuple[ImportProblem, ...]
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every row was good and stored."""
        return not self.problems and self.error is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form (the API)."""
        return {
            "source": self.source,
            "added": self.added,
            "ok": self.ok,
            "error": self.error,
            "problems": [
                {"row": p.row, "column": p.column, "message": p.message} for p in self.problems
            ],
        }


def import_list(
    campaigns: Campaigns, campaign: Campaign, filename: str, data: bytes
) -> ImportResult:
    """Check every row of an uploaded CSV/XLSX list and import it whole, or nothing.

    People already in the campaign are problems too (named with their row).
    """
    name = Path(filename or "list.csv").name
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        return ImportResult(name, 0, (), f"{name}: a list of people is a .csv or .xlsx file")
    if len(data) > MAX_UPLOAD_BYTES:
        return ImportResult(name, 0, (), f"{name}: larger than {MAX_UPLOAD_BYTES >> 20} MB")
    with tempfile.TemporaryDirectory(prefix="aicall-import-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            report = read_people(path, region=campaign.region)
        except InputError as e:
            return ImportResult(name, 0, (), str(e).replace(str(path), name))
    report = ImportReport(name, report.people, report.problems)
    if not report.ok:
        return ImportResult(name, 0, report.problems)
    with campaigns.db.session() as s:
        existing = set(
            s.scalars(select(CampaignPerson.phone).where(CampaignPerson.campaign_id == campaign.id))
        )
    clashes = tuple(
        ImportProblem(p.row, "phone", f"{p.phone} is already in campaign {campaign.id}")
        for p in report.people
        if p.phone in existing
    )
    if clashes:
        return ImportResult(name, 0, clashes)
    try:
        added = campaigns.import_people(campaign.id, report)
    except InputError as e:  # a clash that appeared meanwhile: nothing was stored
        return ImportResult(name, 0, (), str(e))
    return ImportResult(name, added, ())


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WHY = (
    (re.compile(r"campaign is (\w+)$"), "campaigns.why.status"),
    (re.compile(r"(?P<day>\w+) is not a calling day$"), "campaigns.why.day"),
    (re.compile(r"public holiday (?P<date>[\d-]+) \((?P<name>.*)\)$"), "campaigns.why.holiday"),
    (
        re.compile(r"(?P<time>\d\d:\d\d) local is outside the calling windows$"),
        "campaigns.why.window",
    ),
)


def why_waiting(text: str | None, lang: str) -> str:
    """Why a campaign waits (:attr:`CampaignStatus.why_waiting`) in the page's language."""
    for pattern, key in _WHY:
        match = pattern.match(text or "")
        if not match:
            continue
        fields = match.groupdict()
        if key == "campaigns.why.status":
            fields = {"status": t(f"campaigns.status.{match.group(1)}", lang)}
        elif "day" in fields and fields["day"] in _DAYS:
            fields["day"] = t(f"results.wd.{_DAYS.index(fields['day'])}", lang)
        return t(key, lang, **fields)
    return text or ""


def status_dict(status: CampaignStatus) -> dict[str, Any]:
    """A campaign and where it stands, JSON-safe (the API and the live progress)."""
    c = status.campaign
    return {
        "id": c.id,
        "scenario_id": c.scenario_id,
        "status": c.status,
        "round": c.current_round,
        "people": c.people,
        "cap": c.max_concurrent,
        "schedule": c.schedule.describe(),
        "retry": c.retry.describe(),
        "machine": c.machine.action,
        "recurrence": c.recurrence,
        "caller_id": c.caller_id,
        "states": status.states,
        "active": status.active,
        "next_due": status.next_due.isoformat() if status.next_due else None,
        "waiting_because": status.why_waiting,
    }
