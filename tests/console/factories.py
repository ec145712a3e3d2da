"""Objects of organisation "acme" for the cross-tenant test, by path-parameter name.

tests/console/test_tenants.py fills every ``{param}`` of every /console and /api/v1 route with
the value the factory of that name returns for "acme", then asks as a user of "city". Each
console helper APPENDS the factories of the parameters its routes use (append-only file)::

    @factory("call_id")
    def _call(ctx: FactoryContext) -> str:
        ...store a call of ctx.scenario_id in ctx.db ...
        return call_id

A factory runs once per test (its value is cached in ``ctx.values``); it may call another
through ``ctx.value("scenario_id")``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.store import Database
from authoring.candidates import Candidate, CandidateStore, store_path
from console.accounts import create_api_token
from console.jobs import save_run

__all__ = ["FACTORIES", "FactoryContext", "factory"]

#: path parameter name -> a function making one object of org "acme" and returning its id.
FACTORIES: dict[str, Callable[[FactoryContext], Any]] = {}


@dataclass
class FactoryContext:
    """What a factory gets: the app's pieces and org "acme"'s ids.

    Attributes:
        env: the ``console_env`` fixture's value (``app``, ``settings``, ``runtime``, ...).
        org_id: acme's org id.
        user_id: acme-admin's user id.
        scenario_id: a booking scenario acme owns ("restaurant-en").
        carecall_scenario_id: a care-call scenario acme owns ("carecall-en").
        values: the values made so far (by parameter name).
    """

    env: Any
    org_id: int
    user_id: int
    scenario_id: str = "restaurant-en"
    carecall_scenario_id: str = "carecall-en"
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        """The app's database."""
        db: Database = self.env.runtime.db
        return db

    @property
    def data_dir(self) -> Path:
        """The app's data directory."""
        path: Path = self.env.settings.data_dir
        return path

    def value(self, name: str) -> Any:
        """The value of parameter ``name`` (made once)."""
        if name not in self.values:
            if name not in FACTORIES:
                raise KeyError(
                    f"no factory for the path parameter {name!r}: add one to "
                    "tests/console/factories.py"
                )
            self.values[name] = FACTORIES[name](self)
        return self.values[name]


def factory(name: str) -> Callable[[Callable[[FactoryContext], Any]], Callable[..., Any]]:
    """Register the factory of path parameter ``name``."""

    def register(fn: Callable[[FactoryContext], Any]) -> Callable[[FactoryContext], Any]:
        if name in FACTORIES:
            raise ValueError(f"two factories for {name!r}")
        FACTORIES[name] = fn
        return fn

    return register


# ---------------------------------------------------------------- C1 (core)


@factory("scenario_id")
def _scenario(ctx: FactoryContext) -> str:
    return ctx.scenario_id


@factory("user_id")
def _user(ctx: FactoryContext) -> int:
    user_id: int = ctx.env.tenants.users["acme-operator"]
    return user_id


@factory("token_id")
def _token(ctx: FactoryContext) -> int:
    with ctx.db.transaction() as session:
        token_id, _ = create_api_token(session, ctx.user_id, ctx.org_id, "acme script")
    return token_id


# ---------------------------------------------------------------- C3 (authoring)


@factory("intent")
def _intent(ctx: FactoryContext) -> str:
    return "book"  # an intent of restaurant-en


@factory("candidate_id")
def _candidate(ctx: FactoryContext) -> str:
    store = CandidateStore(store_path(ctx.data_dir, ctx.scenario_id), ctx.scenario_id)
    cand = Candidate("book", "a table for acme please", "speech_level", seed="a table please")
    store.add([cand])
    store.save()
    return cand.id


@factory("run_id")
def _run(ctx: FactoryContext) -> str:
    run_id = "acmerun0000000001"
    save_run(
        ctx.data_dir,
        ctx.scenario_id,
        {"run_id": run_id, "org_id": ctx.org_id, "scenario_id": ctx.scenario_id,
         "kind": "train", "state": "done", "result": {}},
    )  # fmt: skip
    return run_id


# ---------------------------------------------------------------- C2 (scenarios)


@factory("version_id")
def _scenario_version(ctx: FactoryContext) -> int:
    from console.scenario_store import ScenarioVersion, sha
    from scenarios.loader import SHIPPED_DIR

    scenario_id = ctx.value("scenario_id")
    text = (SHIPPED_DIR / f"{scenario_id}.yaml").read_text(encoding="utf-8")
    with ctx.db.transaction() as session:
        row = ScenarioVersion(
            scenario_id=scenario_id,
            org_id=ctx.org_id,
            number=1,
            text=text,
            sha=sha(text),
            message="shipped",
            username="acme-admin",
        )
        session.add(row)
        session.flush()
        version_id: int = row.id
    return version_id


# ---------------------------------------------------------------- C4 (calls, results, campaigns)


@factory("call_id")
def _call(ctx: FactoryContext) -> str:
    """A care call of acme's with answers and an open follow-up flag (so closing it is real)."""
    from agent.store import CallLog, SqlCareCallRecorder
    from agent.store.models import utcnow

    call = CallLog(ctx.db).start_call(
        scenario_id=ctx.carecall_scenario_id, direction="outbound", callee="+15550100100"
    )
    recorder = SqlCareCallRecorder(ctx.db)
    recorder.link_call(
        call.id,
        person_id="acme-person-1",
        person="Margaret Brown",
        scenario_id=ctx.carecall_scenario_id,
        called_at=utcnow(),
    )
    recorder.record_answers(call.id, ctx.carecall_scenario_id, "Margaret Brown", {"mood": "bad"})
    recorder.raise_flag(call.id, ctx.carecall_scenario_id, "Margaret Brown", ["low_mood"])
    CallLog(ctx.db).end_call(call.id, "completed", "completed")
    # its recording (stereo WAV), so /console/calls/{call_id}/recording has something to refuse
    import wave

    path = ctx.data_dir / "recordings" / f"{call.id}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00\x00\x00" * 800)
    return call.id


@factory("person_id")
def _person(ctx: FactoryContext) -> str:
    ctx.value("call_id")
    return "acme-person-1"


@factory("booking_id")
def _booking(ctx: FactoryContext) -> int:
    """A booking at acme's restaurant (venue hangang-kitchen), made outside a call."""
    from datetime import datetime

    from agent.store import SqlBookingBackend
    from dialogue.ports import BookingRequest
    from dialogue.restaurant import capacity_rule

    venue = ctx.env.runtime.scenario(ctx.scenario_id).venue
    rule = capacity_rule(venue)
    record = SqlBookingBackend(ctx.db).create(
        rule,
        BookingRequest(
            venue=rule.venue,
            start=datetime(2026, 11, 26, 19, 0),
            party_size=2,
            seating=next(iter(rule.seats)),
            name="Acme Guest",
            phone="5551230000",
        ),
    )
    return record.id


@factory("campaign_id")
def _campaign(ctx: FactoryContext) -> str:
    from agent.campaigns import Campaigns, CampaignSpec

    return Campaigns(ctx.db).create(CampaignSpec("acme-weekly", ctx.carecall_scenario_id)).id
