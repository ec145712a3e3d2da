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
from console.accounts import create_api_token

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
