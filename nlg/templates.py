"""Word system acts with the scenario's templates (the reference wording and the fallback).

Placeholders: ``{date}``, ``{time}``, ``{party_size}``, ``{seating}``, ``{name}``, ``{phone}``
(rendered per language), ``{options}`` (offered alternatives), ``{person}``,
``{persona.name}``, ``{persona.business}``, ``{facts.KEY}``, ``{ago}`` (when an earlier call
was, from the act's ``days_ago``: "지난주에", "last week") and any other act value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time
from typing import Any

from dialogue.acts import ActKind, Reply, SystemAct
from nlg.builtin import builtin_template
from nlg.render import render_ago, render_count, render_date, render_phone, render_time
from scenarios.schema import Scenario

__all__ = ["TemplateNLG"]

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


class TemplateNLG:
    """Turns acts into reply text for one scenario."""

    def __init__(self, scenario: Scenario, *, person: str | None = None) -> None:
        self.scenario = scenario
        self.lang = scenario.language
        self.person = person or scenario.sample_person or ""

    def reply(self, acts: Sequence[SystemAct], expects: str | None = None) -> Reply:
        """Word all acts of a turn into one reply."""
        parts = [self.word(a) for a in acts]
        transfer = next((a.values.get("number") for a in acts if a.kind == ActKind.TRANSFER), None)
        end = any(a.kind in (ActKind.BYE, ActKind.TRANSFER) for a in acts)
        return Reply(
            text=" ".join(p for p in parts if p),
            acts=tuple(acts),
            end_call=end,
            transfer_to=transfer,
            expects=None if end else expects,
        )

    def word(self, act: SystemAct) -> str:
        """The text of one act."""
        if act.kind == ActKind.REPEAT:
            return str(act.values.get("text") or "")
        key = act.template or act.kind
        if key.startswith("faq:"):
            template = self.scenario.faq[key[4:]]
        else:
            template = self.template(key)
        return self.fill(template, act.values)

    def template(self, key: str) -> str:
        """The scenario's template ``key``, else its built-in text (:mod:`nlg.builtin`), else ""."""
        found = self.scenario.templates.get(key)
        if found is None:
            found = builtin_template(key, self.lang)
        return found or ""

    def fill(self, template: str, values: dict[str, Any]) -> str:
        """Replace placeholders with rendered values."""

        def sub(m: re.Match[str]) -> str:
            return self._value(m.group(1), values)

        return _PLACEHOLDER.sub(sub, template)

    def _value(self, key: str, values: dict[str, Any]) -> str:
        sc = self.scenario
        if key.startswith("persona."):
            return str(getattr(sc.persona, key.split(".", 1)[1], ""))
        if key.startswith("facts."):
            return sc.facts.get(key.split(".", 1)[1], "")
        if key == "person":
            return self.person
        if key == "ago" and isinstance(values.get("days_ago"), int):
            return render_ago(values["days_ago"], self.lang)
        if key == "options":
            return self._options(values.get("options") or [], values)
        if key in ("times", "providers") and isinstance(values.get(key), list):
            words = [
                render_time(v, self.lang) if isinstance(v, time) else str(v) for v in values[key]
            ]
            return self._join(words)
        value = values.get(key)
        if value is None:
            return ""
        return self.render(key, value)

    def render(self, slot: str, value: Any) -> str:
        """Render one slot value for speech."""
        spec = self.scenario.slots.get(slot)
        kind = spec.type if spec else None
        if isinstance(value, date) or kind == "date":
            return render_date(value, self.lang)
        if isinstance(value, time) or kind == "time":
            return render_time(value, self.lang)
        if kind == "count" and isinstance(value, int):
            return render_count(value, self.lang)
        if kind == "phone":
            return render_phone(value, self.lang)
        if spec is not None and spec.type == "category":
            keys = value if isinstance(value, list) else [value]
            return ", ".join(spec.values[k].label if k in spec.values else str(k) for k in keys)
        return str(value)

    def _options(self, offers: Sequence[dict[str, Any]], about: dict[str, Any]) -> str:
        words = []
        for offer in offers:
            text = render_time(offer["time"], self.lang)
            for key, value in offer.items():
                if key == "time" or not value or value == about.get(key):
                    continue  # a seating or provider other than the one asked is named
                label = self.render(key, value)
                if self.lang == "ko":
                    text = f"{text} {label}"
                else:
                    text = f"{text} {'in the' if key == 'seating' else 'with'} {label}"
            words.append(text)
        return f" {self.template('option_or')} ".join(words)

    def _join(self, words: Sequence[str]) -> str:
        """Join as "A or B", "A, B or C" (the scenario's ``option_or``)."""
        if len(words) <= 2:
            return f" {self.template('option_or')} ".join(words)
        return f"{', '.join(words[:-1])} {self.template('option_or')} {words[-1]}"
