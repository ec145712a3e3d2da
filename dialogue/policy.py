"""The dialogue policy: from the caller's turn (or a call event) to the agent's acts.

Order of decisions in a caller turn:

1. answers to what the agent is waiting for (a phone number for a look-up, an offer, a
   confirmation with or without a correction, "drop this booking?", "make it 6 people?"); a
   change or cancel said in the middle of a new booking corrects or drops that booking
   (:mod:`dialogue.midtask`);
2. global intents: repeat, speak to a person, goodbye; FAQ answers (then the pending question
   again); out of scope;
3. a task intent starts its task (and the values said with it fill its slots);
4. values fill the active task's slots (several at once; a bare answer fills the slot asked);
5. nothing understood: re-prompt (on a phone call, for a date, a time or a seating, with how to
   key it: :func:`dialogue.keypad.keypad_hint`), and after ``max_misunderstandings`` the
   scenario's fallback.
"""

from __future__ import annotations

from collections.abc import Callable

from common.errors import StoreUnavailableError
from dialogue.actions import (
    INFO_ACTIONS,
    end_with_apology,
    lookup_booking,
    record_carecall,
    run_action,
)
from dialogue.acts import ActKind, SystemAct
from dialogue.appointments import apply_wishes, info_action
from dialogue.carecall import UNKNOWN
from dialogue.confirm import answer_confirmation, keep_booking, rephrase_confirmation
from dialogue.context import DialogueContext
from dialogue.events import (
    ActionExecuted,
    Awaiting,
    CallEnded,
    CallEvent,
    ConfirmationRequested,
    SlotRequested,
    SlotSet,
    TaskEnded,
    TaskStarted,
    UserUttered,
)
from dialogue.forms import (
    ask_next,
    collect_values,
    fill,
    reask,
    task_for_intent,
    task_for_values,
    validate,
)
from dialogue.keypad import keypad_hint, keys_as_result
from dialogue.midtask import (
    ABANDON,
    RANGE,
    answer_abandon,
    answer_range,
    ask_range,
    in_new_booking,
    ranged_count,
    switch_in_booking,
)
from dialogue.offers import pick_offer
from dialogue.periods import note_period, takes_period
from dialogue.restaurant import normalize_phone
from dialogue.state import AwaitKind
from dialogue.tracker import Tracker
from dialogue.turn import Turn
from nlu.parsers import extract_period
from nlu.types import OUT_OF_SCOPE, NLUResult

__all__ = ["Policy"]

_GLOBAL = ("repeat", "human", "goodbye")


class Policy:
    """Scenario-driven form policy (stateless: all state lives in the tracker)."""

    def start(self, tracker: Tracker, ctx: DialogueContext) -> list[SystemAct]:
        """The opening of the call: greeting, and the first question of an outbound task."""
        turn = Turn(tracker, ctx)
        turn.say(ActKind.GREET, "greet")
        sc = ctx.scenario
        if sc.start_task:
            turn.emit(TaskStarted(task=sc.start_task))
            self._advance(turn)
        return turn.acts

    def on_event(
        self, tracker: Tracker, ctx: DialogueContext, kind: str, value: str | None
    ) -> list[SystemAct]:
        """A call event: ``silence``, ``dtmf``, ``barge_in``, ``hangup``."""
        turn = Turn(tracker, ctx)
        turn.emit(CallEvent(kind=kind, value=value))
        state = tracker.state
        if state.ended:
            return turn.acts
        if kind == "silence":
            n = state.no_input + 1
            turn.count("no_input", n)
            if n > ctx.scenario.globals.max_reprompts:
                if ctx.scenario.start_task and state.task:  # like a hang-up: keep what was said
                    record_carecall(turn, complete=False)
                self._end(turn, "fallback_end", outcome="no_input")
            else:
                turn.say(ActKind.REPROMPT, "no_input")
                reask(turn)
        elif kind == "hangup":
            if ctx.scenario.start_task and state.task:
                record_carecall(turn, complete=False)
            turn.emit(CallEnded(outcome="hangup"))
        elif kind == "dtmf" and value:
            keys = keys_as_result(tracker.state, ctx.scenario, value, ctx.now.date())
            return self.on_user(tracker, ctx, keys, turn=turn)
        return turn.acts

    def on_user(
        self,
        tracker: Tracker,
        ctx: DialogueContext,
        result: NLUResult,
        *,
        turn: Turn | None = None,
    ) -> list[SystemAct]:
        """One caller utterance, already understood."""
        turn = turn or Turn(tracker, ctx)
        state = tracker.state
        turn.emit(
            UserUttered(
                text=result.text,
                intent=result.intent,
                confidence=result.confidence,
                slots=tuple((s.name, s.value) for s in result.slots),
            )
        )
        if state.ended:
            return turn.acts
        turn.count("no_input", 0)
        if self._handle(turn, result):
            turn.count("misunderstood", 0)
        return turn.acts

    # -- decisions -------------------------------------------------------------------------

    def _handle(self, turn: Turn, result: NLUResult) -> bool:
        """Act on the utterance; return False when it was not understood."""
        state, sc = turn.tracker.state, turn.scenario
        threshold = sc.globals.intent_threshold
        confident = result.confidence >= threshold
        questionnaire = bool(state.task and not sc.tasks[state.task].confirm)
        only = state.requested if questionnaire else None
        yes_no = next((bool(s.value) for s in result.slots if s.name == "yesno"), None)
        if yes_no is None and confident and result.intent in ("affirm", "deny"):
            yes_no = result.intent == "affirm"
        if not questionnaire and takes_period(sc, state.task):
            turn.period = extract_period(result.text, sc.language)  # "점심에", "for dinner"
        values = collect_values(turn, result, only=only, yes_no=yes_no)
        if not questionnaire and sc.booking is not None:
            wished = state.task or (task_for_intent(sc, result.intent) if confident else None)
            said = apply_wishes(turn, result.text, values, wished or task_for_values(sc, values))
            if said and not values and state.task:  # "지난번 그 선생님" with none on record
                reask(turn)
                return True
        ranged = ranged_count(turn, result, values)

        def advance(t: Turn) -> None:
            self._advance(t, confirm_range=ranged)

        if confident and result.intent in _GLOBAL and not values:
            return self._global(turn, result.intent)
        if state.awaiting == AwaitKind.LOOKUP_PHONE:
            phone = values.get("phone")
            if phone:
                lookup_booking(turn, str(phone))
                if turn.tracker.state.task:
                    self._after_lookup(turn, {})
                return True
        if confident and result.intent in sc.faq:
            # values inside a question ("혼자 먹어도 될까요?", "is there parking tomorrow?") are
            # part of the question, not answers
            turn.say(ActKind.INFORM, f"faq:{result.intent}")
            reask(turn)
            return True
        info = info_action(sc, result.intent) if confident else None
        if info == "find_provider" and state.requested in values:
            info = None  # "목요일이요" answers the question asked, whatever the classifier says
        if info is not None and not questionnaire:
            # "금요일에 몇 시 돼요?", "which doctor works in the afternoon?": answered from the
            # booking data, then the pending question (or the booking it starts) goes on
            pending = state.task
            INFO_ACTIONS[info](turn, result.text, values)
            if pending is None and turn.tracker.state.task is not None:
                note_period(turn)
                advance(turn)
            else:
                reask(turn)
            return True
        if confident and result.intent == OUT_OF_SCOPE:
            if state.confirming:  # only the values read back, said again, answer the read-back
                return self._confirm(turn, result, values, yes_no, advance, corrections=False)
            # "오늘 날씨 어때요" mentions a date but answers nothing
            turn.say(ActKind.INFORM, "out_of_scope")
            reask(turn)
            return False
        target = task_for_intent(sc, result.intent) if confident else None
        if target is not None and info_action(sc, result.intent) is not None:
            target = None  # a question answered from the data is never a form of its own
        if state.awaiting == ABANDON:
            if target and not sc.tasks[target].slots and yes_no is None:
                yes_no = True  # "drop it?" "cancel, yes"
            done = answer_abandon(turn, values, yes_no, advance)
            if done is not None:
                return done
            return self._not_understood(turn, result)
        if state.awaiting == RANGE:
            done = answer_range(turn, values, yes_no, advance)
            if done is not None:
                return done
            return self._not_understood(turn, result)
        if target and target != state.task and sc.tasks[target].lookup:
            if in_new_booking(state, sc):
                switch_in_booking(turn, target, values, advance)
                return True
        if state.confirming:
            return self._confirm(turn, result, values, yes_no, advance)
        if state.awaiting == AwaitKind.OFFER:
            return self._offer(turn, result, values, yes_no)
        if state.awaiting == AwaitKind.CHANGE_WHAT and not values and yes_no is False:
            keep_booking(turn)  # "what should I change?" "no, leave it"
            return True
        if state.awaiting == AwaitKind.CORRECTION and not values and yes_no is not None:
            turn.emit(ConfirmationRequested())  # nothing to change after all: confirm again
            reask(turn)
            return True
        if state.awaiting == AwaitKind.ANYTHING_ELSE and not values:
            if yes_no is False or (confident and result.intent == "deny"):
                self._end(turn, "bye", outcome="completed")
                return True
            if yes_no is True:  # "anything else?" "yes": let them say what
                turn.emit(Awaiting(kind=None))
                ask = "ask_intent" if "ask_intent" in sc.templates else "anything_else"
                turn.say(ActKind.REQUEST, ask)
                return True
        if target and target != state.task and not questionnaire:
            self._start_task(turn, target, values, advance)
            return True
        if values or (turn.period and state.task):
            if state.task is None:
                starter = task_for_values(sc, values)
                if starter is None:
                    return self._not_understood(turn, result)
                self._start_task(turn, starter, values, advance)
                return True
            fill(turn, values)
            note_period(turn)
            advance(turn)
            return True
        return self._not_understood(turn, result)

    def _global(self, turn: Turn, intent: str) -> bool:
        sc, state = turn.scenario, turn.tracker.state
        if intent == "repeat" and state.confirming:  # "뭐라고요?" at the read-back: counted
            if not self._count_miss(turn):
                rephrase_confirmation(turn, state.misunderstood, repeat=True)
            return False
        if intent == "repeat":
            turn.acts.append(SystemAct(kind=ActKind.REPEAT, values={"text": state.last_text}))
        elif intent == "human":
            self._handover(turn)
        elif intent == "goodbye":
            if sc.start_task and state.task:
                record_carecall(turn, complete=False)
            self._end(turn, "bye", outcome="completed" if state.completed else "abandoned")
        return True

    def _confirm(
        self,
        turn: Turn,
        result: NLUResult,
        values: dict[str, object],
        yes_no: bool | None,
        advance: Callable[[Turn], None],
        *,
        corrections: bool = True,
    ) -> bool:
        """The answer to a read-back; an unclear one is rephrased and counted (then fallback)."""
        if not corrections:
            read_back = turn.tracker.state.slots
            values = {k: v for k, v in values.items() if read_back.get(k) == v}
        if turn.period and not values and yes_no is not True and note_period(turn):
            advance(turn)  # "저녁으로 해 주세요" with a lunch time read back: the hour again
            return True
        done = answer_confirmation(turn, result.text, values, yes_no, advance)
        if done is not None:
            return done
        if not self._count_miss(turn):
            rephrase_confirmation(turn, turn.tracker.state.misunderstood)
        return False

    def _offer(
        self, turn: Turn, result: NLUResult, values: dict[str, object], yes_no: bool | None
    ) -> bool:
        chosen = pick_offer(turn, result.text, values, yes_no)
        if chosen == {}:  # "the third one" of two
            return self._not_understood(turn, result)
        if chosen is None and yes_no is False:
            turn.emit(SlotRequested(slot="time"))
            turn.say(ActKind.REQUEST, turn.scenario.slots["time"].prompt, slot="time")
            return True
        if chosen is None and not values:
            return self._not_understood(turn, None)
        fill(turn, {**values, **(chosen or {})})
        turn.emit(Awaiting(kind=None))
        self._advance(turn)
        return True

    def _start_task(
        self,
        turn: Turn,
        task: str,
        values: dict[str, object],
        advance: Callable[[Turn], None] | None = None,
    ) -> None:
        sc, ctx = turn.scenario, turn.ctx
        turn.emit(TaskStarted(task=task))
        note_period(turn)
        spec = sc.tasks[task]
        if spec.lookup == "booking_by_phone":
            phone = values.get("phone") or normalize_phone(ctx.caller)
            if not phone:
                turn.emit(Awaiting(kind=AwaitKind.LOOKUP_PHONE))
                turn.say(ActKind.REQUEST, sc.slots["phone"].prompt, slot="phone")
                return
            lookup_booking(turn, str(phone))
            if turn.tracker.state.task:
                self._after_lookup(turn, values)
            return
        fill(turn, {k: v for k, v in values.items() if k in spec.slots})
        (advance or self._advance)(turn)

    def _after_lookup(self, turn: Turn, values: dict[str, object]) -> None:
        task = turn.scenario.tasks[turn.tracker.state.task or ""]
        changes = {k: v for k, v in values.items() if k in task.slots and k != "phone"}
        if task.slots and not changes:
            turn.emit(Awaiting(kind=AwaitKind.CHANGE_WHAT))
            turn.say(ActKind.REQUEST, "ask_change_what")
            return
        fill(turn, changes)
        self._advance(turn)

    def _advance(self, turn: Turn, *, confirm_range: str | None = None) -> None:
        """Ask what is missing; run the action when the form completes without confirmation.

        ``confirm_range`` names a count slot just filled from a range ("대여섯 명"): once the
        values pass validation, the agent asks to confirm it before anything else.
        """
        state, sc = turn.tracker.state, turn.scenario
        if state.task and state.requested:
            spec = sc.slots[state.requested]
            if spec.stop_if is not None and state.slots.get(state.requested) == spec.stop_if:
                self._end(turn, "wrong_person", outcome="wrong_person")
                return
        if confirm_range and confirm_range in state.slots and "confirm_range" in sc.templates:
            if not validate(turn):
                return  # alternatives offered
            if confirm_range in state.slots:  # still there (not over the party limit)
                ask_range(turn, confirm_range)
                return
        if ask_next(turn) == "complete" and state.task:
            task = sc.tasks[state.task]
            if task.action == "record_carecall":
                try:
                    reasons = record_carecall(turn, complete=True)
                except StoreUnavailableError as e:
                    end_with_apology(turn, str(e))
                    return
                turn.emit(TaskEnded(task=state.task, outcome="done"))
                turn.say(ActKind.ACK, "done_checkin")
                if reasons:
                    turn.say(ActKind.INFORM, "flagged", reasons=reasons)
                self._end(turn, "bye", outcome="completed")
            else:
                run_action(turn, task.action)

    def _not_understood(self, turn: Turn, result: NLUResult | None) -> bool:
        state, sc = turn.tracker.state, turn.scenario
        slot = state.requested
        if slot and sc.slots[slot].on_unrecognized == "skip":
            tries = state.attempts.get(slot, 0) + 1
            turn.count(f"attempts:{slot}", tries)
            if tries > sc.globals.max_reprompts:
                turn.emit(ActionExecuted(name="give_up_slot", result={"slot": slot}))
                turn.emit(SlotSet(name=slot, value=UNKNOWN))
                self._advance(turn)
                return True
            turn.say(ActKind.REPROMPT, "not_understood")
            reask(turn)
            return False
        if self._count_miss(turn):
            return False
        turn.say(ActKind.REPROMPT, "not_understood")
        reask(turn)
        keypad_hint(turn)  # on the phone: "you can also use the keypad"
        return False

    def _count_miss(self, turn: Turn) -> bool:
        """Count a turn not understood; True when that ran the scenario's fallback."""
        state, sc = turn.tracker.state, turn.scenario
        n = state.misunderstood + 1
        turn.count("misunderstood", n)
        if n < sc.globals.max_misunderstandings:
            return False
        if sc.globals.fallback == "handover" and sc.handover_number:
            self._handover(turn)
        else:
            if sc.start_task and state.task:
                record_carecall(turn, complete=False)
            self._end(turn, "fallback_end", outcome="misunderstood")
        return True

    def _handover(self, turn: Turn) -> None:
        sc, state = turn.scenario, turn.tracker.state
        if sc.start_task and state.task:
            record_carecall(turn, complete=False)
        number = sc.handover_number
        if number:
            turn.acts.append(
                SystemAct(kind=ActKind.TRANSFER, values={"number": number}, template="handover")
            )
            turn.emit(CallEnded(outcome="handover"))
        else:
            self._end(turn, "fallback_end", outcome="handover_unavailable")

    def _end(self, turn: Turn, template: str, *, outcome: str) -> None:
        turn.say(ActKind.BYE, template)
        turn.emit(CallEnded(outcome=outcome))
