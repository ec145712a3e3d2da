"""Which of the offered alternatives the caller takes.

The agent names the alternatives nearest to the time asked first ("7시 반 또는 6시 반"): a bare
yes takes the first one named. The caller may also name one: by its time ("6시 반으로요", "the
6:30"), its seating ("룸으로요"), or its place ("두 번째요", "the later one").
"""

from __future__ import annotations

from typing import Any

from dialogue.turn import Turn
from nlu.parsers import extract_choice

__all__ = ["pick_offer"]


def pick_offer(
    turn: Turn, text: str, values: dict[str, Any], yes_no: bool | None
) -> dict[str, Any] | None:
    """The offer the caller takes (a time not offered is taken as a new time), or None.

    An empty dict means the caller named an option that was not offered ("the third one" of
    two): the agent asks again.

    Args:
        turn: the turn (its state holds the offers, in the order they were said).
        text: what the caller said.
        values: the slot values found in it.
        yes_no: the caller's yes or no, if any.
    """
    offers = turn.tracker.state.offers
    choice = extract_choice(text, turn.scenario.language) if offers else None
    if choice is not None and not any(o["time"] == values.get("time") for o in offers):
        # "the second one": the "one" is no time, whatever a bare-number reading said
        return _by_choice(offers, choice) or {}
    if "time" in values:
        same = [o for o in offers if o["time"] == values["time"]]
        seating = values.get("seating")
        chosen = next((o for o in same if seating is None or o["seating"] == seating), None)
        return chosen or {"time": values["time"]}
    if "seating" in values:
        return next((o for o in offers if o.get("seating") == values["seating"]), None)
    for key, value in values.items():  # "김 원장님으로요": the offer with that provider
        if any(key in o for o in offers):
            return next((o for o in offers if o.get(key) == value), None)
    if yes_no is True and offers:
        return offers[0]
    return None


def _by_choice(offers: list[dict[str, Any]], choice: str) -> dict[str, Any] | None:
    if choice == "earlier":
        return min(offers, key=lambda o: o["time"])
    if choice == "later":
        return max(offers, key=lambda o: o["time"])
    if choice == "last":
        return offers[-1]
    index = ("first", "second", "third").index(choice)
    return offers[index] if index < len(offers) else None
