"""The caller's answer to a read-back ("… 예약해 드릴까요?" / "… Shall I book it?").

- yes ("네", "좋아요", "그걸로 해 주세요", "go ahead", "that works", "sounds good") → the action;
- the values read back said again ("공일공 오오오오 공일공일" when that is the number read back) →
  yes to them;
- other values ("아니요, 8시로 해 주세요", another phone number) → a correction, then a new
  read-back;
- a bare no → "what would you like to change?";
- anything else is unclear: :func:`rephrase_confirmation` asks once more in other words ("예약을
  이대로 진행할까요? 네 또는 아니요로 말씀해 주세요"), then with the read-back again; each
  unclear answer counts as a misunderstanding, so the scenario's fallback ends a call that
  cannot get past the read-back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dialogue.actions import run_action
from dialogue.acts import ActKind
from dialogue.events import Awaiting, TaskEnded
from dialogue.forms import fill, reask
from dialogue.state import AwaitKind
from dialogue.turn import Turn

__all__ = ["agrees", "answer_confirmation", "keep_booking", "rephrase_confirmation"]

# Agreement that is no plain "yes" but means it at a read-back only ("예약해 주세요" elsewhere
# asks for a booking; "book it" starts one).
_AGREE_KO = re.compile(
    "그걸로(?:요|\\s*(?:할게요|하겠습니다|부탁(?:해요|드려요|드립니다)))?(?![가-힣])"
    "|그대로(?:요|\\s*(?:해|진행해|예약해)\\s*주세요|\\s*할게요)?(?![가-힣])"
    "|그렇게(?:요|\\s*할게요|\\s*부탁(?:해요|드려요|드립니다))(?![가-힣])"
    "|(?:예약|진행)\\s*(?:해|하)\\s*주세요|(?:예약|진행)\\s*부탁(?:해요|드려요|드립니다)|괜찮아요|완벽해요"
)
_AGREE_EN = re.compile(
    r"\b(?:that\s+works|works\s+for\s+me|that'?s\s+the\s+one|that\s+one|(?:please\s+)?book\s+it"
    r"|do\s+it|let'?s\s+do\s+it|that'?ll\s+(?:work|do)|all\s+good|(?:that'?s\s+)?fine|great"
    r"|lovely|good)\b",
    re.IGNORECASE,
)
_NOT_EN = re.compile(r"\b(?:not|n't|no)\s+(?:\w+\s+)?$", re.IGNORECASE)


def agrees(text: str, lang: str) -> bool:
    """The caller agrees in words that only a read-back makes a yes ("그걸로요", "that works")."""
    pattern = _AGREE_KO if lang == "ko" else _AGREE_EN
    for m in pattern.finditer(text):
        if lang == "ko" and re.search("안\\s*$|못\\s*$", text[: m.start()]):
            continue
        if lang != "ko" and _NOT_EN.search(text[: m.start()]):
            continue
        return True
    return False


def _same(said: Any, read_back: Any) -> bool:
    """A value said again is the one read back (lists of categories compare as sets)."""
    if isinstance(said, list) or isinstance(read_back, list):
        as_set = set(said if isinstance(said, list) else [said])
        return as_set == set(read_back if isinstance(read_back, list) else [read_back])
    return bool(said == read_back)


def answer_confirmation(
    turn: Turn,
    text: str,
    values: dict[str, Any],
    yes_no: bool | None,
    advance: Callable[[Turn], None],
) -> bool | None:
    """Act on the answer to the read-back; None when it answers nothing (the caller counts it).

    Args:
        turn: the turn.
        text: what the caller said.
        values: the slot values said (normalised).
        yes_no: the caller's yes or no, if said.
        advance: asks the next question (the policy's).
    """
    state, sc = turn.tracker.state, turn.scenario
    assert state.task is not None
    task = sc.tasks[state.task]
    read_back = dict(state.slots)
    if values and all(k in read_back and _same(v, read_back[k]) for k, v in values.items()):
        values = {}  # the number read back, said again: yes to it (or a no about something else)
        if yes_no is None:
            yes_no = True
    if values:  # a correction: "아니요, 8시로 해 주세요" / "no, make it 8"
        fill(turn, values)
        advance(turn)
        return True
    if yes_no is None and agrees(text, sc.language):
        yes_no = True
    if yes_no is True:
        run_action(turn, task.action)
        return True
    if yes_no is False:
        if not task.slots:  # "cancel it?" "no": keep the booking
            keep_booking(turn)
            return True
        turn.emit(Awaiting(kind=AwaitKind.CORRECTION))
        turn.say(ActKind.REQUEST, "what_to_correct")
        return True
    return None


def keep_booking(turn: Turn) -> None:
    """The caller wants the existing booking left as it is."""
    state = turn.tracker.state
    turn.say(ActKind.INFORM, "keep_booking")
    if state.task:
        turn.emit(TaskEnded(task=state.task, outcome="kept"))
    turn.emit(Awaiting(kind=AwaitKind.ANYTHING_ELSE))
    turn.say(ActKind.REQUEST, "anything_else")


def rephrase_confirmation(turn: Turn, unclear: int, *, repeat: bool = False) -> None:
    """Ask for the yes or no again, never the same way twice in a row.

    The first unclear answer gets ``confirm_rephrase`` ("예약을 이대로 진행할까요? 네 또는
    아니요로 말씀해 주세요" / "Shall I go ahead with this booking? Please say yes or no."); the
    next one "sorry, I didn't understand", the read-back again and ``confirm_yes_no``. A scenario
    without ``confirm_rephrase`` always gets the second form. A request to repeat ("뭐라고요?",
    "hmm what?") gets the read-back again with ``confirm_yes_no`` after it.

    Args:
        turn: the turn.
        unclear: how many unclear answers in a row, this one included.
        repeat: the caller asked to hear it again.
    """
    templates = turn.scenario.templates
    if repeat:
        reask(turn)
        turn.say(ActKind.REPROMPT, "confirm_yes_no")
        return
    if unclear == 1 and "confirm_rephrase" in templates:
        turn.say(ActKind.CONFIRM, "confirm_rephrase")
        return
    turn.say(ActKind.REPROMPT, "not_understood")
    reask(turn)
    turn.say(ActKind.REPROMPT, "confirm_yes_no")
