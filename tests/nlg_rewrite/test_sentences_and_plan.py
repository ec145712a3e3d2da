"""Sentences out of a stream; which acts the LLM may reword."""

from __future__ import annotations

from dialogue.acts import SystemAct
from nlg.rewrite import SentenceSplitter, is_rewritable, plan_turn, split_sentences
from nlg.templates import TemplateNLG
from tests.nlg_rewrite.conftest import shipped
from tests.nlg_rewrite.helpers import ASK_TIME, CONFIRM_BOOK


def test_split_keeps_times_and_decimals_together() -> None:
    text = "Sure, 8.30 works. We open at 11:00 am! Shall I book it?"
    assert split_sentences(text) == [
        "Sure, 8.30 works.",
        "We open at 11:00 am!",
        "Shall I book it?",
    ]
    assert split_sentences("네, 알겠습니다. 몇 시로 예약해 드릴까요?") == [
        "네, 알겠습니다.",
        "몇 시로 예약해 드릴까요?",
    ]


def test_a_sentence_is_released_only_once_the_next_has_begun() -> None:
    s = SentenceSplitter()
    assert s.feed("네, 알겠") == []
    assert s.feed("습니다.") == []  # could still be "습니다..." or a decimal
    assert s.feed(" 몇 시로") == ["네, 알겠습니다."]
    assert s.feed(" 해 드릴까") == []
    assert s.flush() == "몇 시로 해 드릴까"  # the rest, complete or not (the checks decide)


def test_only_checkable_acts_are_reworded() -> None:
    assert is_rewritable(ASK_TIME)
    assert is_rewritable(CONFIRM_BOOK)
    assert is_rewritable(SystemAct("greet", template="greet"))
    assert is_rewritable(SystemAct("bye", template="bye"))
    assert not is_rewritable(SystemAct("reprompt", template="not_understood"))
    # facts, results, refusals, empathy and hand-over keep their exact words
    assert not is_rewritable(SystemAct("inform", template="faq:faq_parking"))
    assert not is_rewritable(SystemAct("inform", template="out_of_scope"))
    assert not is_rewritable(SystemAct("inform", template="done_book"))
    assert not is_rewritable(SystemAct("ack", template="ack_meal_skipped"))
    assert not is_rewritable(SystemAct("transfer", template="handover"))
    assert not is_rewritable(SystemAct("bye", template="fallback_end"))
    assert not is_rewritable(SystemAct("repeat", values={"text": "네"}))


def test_a_turn_has_at_most_one_reworded_segment_the_last_run() -> None:
    nlg = TemplateNLG(shipped()["restaurant-ko"])
    faq = SystemAct("inform", template="faq:faq_parking")
    reprompt = SystemAct("reprompt", template="not_understood")
    segments = plan_turn([reprompt, faq, ASK_TIME], nlg)
    assert [(len(s.acts), s.rewrite) for s in segments] == [(2, False), (1, True)]
    assert shipped()["restaurant-ko"].facts["parking"] in segments[0].text
    assert " ".join(s.text for s in segments) == nlg.reply([reprompt, faq, ASK_TIME]).text
    assert not any(s.rewrite for s in plan_turn([faq], nlg))
    greet = SystemAct("greet", template="greet")
    segments = plan_turn([greet, faq, ASK_TIME], nlg)  # two runs: only the last is reworded
    assert [s.rewrite for s in segments] == [False, False, True]
