"""The meaning check (``meaning:*``): reworded replies that ask or say something else are caught.

Hand-written cases in Korean and English, the fault-injection suite's faithful paraphrases
(which must all pass), an aggregate over the benchmark's own passes labelled by reading
(data/reword_meaning.yaml), and the check wired into the rewriter.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from dialogue.acts import SystemAct
from nlg.checks import meaning_faults
from tests.nlg_checks.test_fault_injection import GOOD, TEMPLATES
from tests.nlg_rewrite.helpers import ASK_TIME, request
from tests.nlg_rewrite.test_candidates import TakesLLM, rewrite

FIXTURE = Path(__file__).parent / "data" / "reword_meaning.yaml"

# (lang, template, reworded reply, the reason it must give)
CHANGED = [
    ("ko", "몇 분이 오시나요?", "몇 분이 오셨어요?", "meaning:tense"),
    ("ko", "몇 시로 예약해 드릴까요?", "몇 시에 오셨어요?", "meaning:tense"),
    ("ko", "예약자 성함을 말씀해 주세요.", "예약자 성함은 어떻게 해야합니까?", "meaning:asks_else"),
    ("ko", "몇 시로 예약해 드릴까요?", "왜 그 시간으로 예약해 드릴까요?", "meaning:asks_else"),
    ("ko", "요즘 기분은 어떠세요?", "내 머릿속에는 어떠한 기분이세요?", "meaning:speaker"),
    (
        "ko",
        "어떻게 바꿔 드릴까요? 날짜, 시간, 인원, 좌석 중에서 말씀해 주세요.",
        "어떻게 하면 편할까요? 날짜, 인원, 좌석 중에서.",
        "meaning:list",
    ),
    (
        "ko",
        "좌석은 룸, 홀, 야외 중 어디로 해 드릴까요?",
        "룸, 좌석은 어디로 하세요?",
        "meaning:list",
    ),
    (
        "ko",
        "요즘 몸은 어떠세요? 열이 나거나 기침을 하시거나 아픈 데는 없으세요?",
        "요즘 몸은 어떠세요? 열이 나거나 기침을 하지 않으세요?",
        "meaning:list",
    ),
    (
        "ko",
        "혹시 필요하신 것이나 도와드릴 일이 있으세요?",
        "제가 도와드릴 필요가 있으시죠?",
        "meaning:presumes",
    ),
    ("ko", "어느 부분을 바꿔 드릴까요?", "어느 쪽에서 바꾸실 수 있을까요?", "meaning:doer"),
    (
        "ko",
        "오늘도 건강하시고 좋은 하루 보내세요. 다음에 또 전화드릴게요.",
        "오늘 하루도 건강하시고 좋은 하루 보내세요.",
        "meaning:doer",
    ),
    (
        "en",
        "How are you feeling? Any fever, cough or pain?",
        "How are you feeling?",
        "meaning:list",
    ),
    (
        "en",
        "Would you like a private room, the main hall, or outdoor seating?",
        "Would you like a private room or the main hall?",
        "meaning:list",
    ),
    (
        "en",
        "Hello, this is Jisoo at Hangang Kitchen. How can I help you?",
        "Hello, your name is Jisoo at Hangang Kitchen. How can I help you?",
        "meaning:speaker",
    ),
    ("en", "What time would you like?", "How did you hear about us?", "meaning:asks_else"),
    (
        "en",
        "Thank you for calling. Have a nice day.",
        "I'm glad you called. I'm sorry, but I don't have a good day.",
        "meaning:negation",
    ),
    ("en", "Did you sleep well last night?", "Did you not sleep last night?", "meaning:negation"),
    ("ko", "오늘 식사는 잘 하셨어요?", "오늘 식사는 못 하셨어요?", "meaning:negation"),
    ("ko", "요즘 기분은 어떠세요?", "요즘 기분이 안 좋으세요?", "meaning:negation"),
    (
        "en",
        "May I have the name for the booking?",
        "Why do you need a booking?",
        "meaning:asks_else",
    ),
    (
        "en",
        "What date would you like to book?",
        "Would you like to book a reservation for a restaurant?",
        "meaning:closed",
    ),
    (
        "en",
        "And how has your mood been lately?",
        "Have you been feeling well lately?",
        "meaning:closed",
    ),
    ("ko", "몇 시로 예약해 드릴까요?", "저녁으로 예약해 드릴까요?", "meaning:closed"),
    ("ko", "요즘 기분은 어떠세요?", "요즘 기분 좋으세요?", "meaning:closed"),
]

# (lang, template, faithful rewording, is it a read-back)
KEPT = [
    ("ko", "몇 시로 예약해 드릴까요?", "방문하실 시간을 말씀해 주시겠어요?", False),
    ("en", "What date would you like to book?", "Could you tell me the date you'd like?", False),
    ("en", "What time would you like?", "What time works best for you?", False),
    ("ko", "몇 시로 예약해 드릴까요?", "방문하실 시간은 몇 시쯤이세요?", False),
    ("ko", "몇 시로 예약해 드릴까요?", "예약 시간은 언제로 해 드릴까요?", False),
    ("ko", "몇 분이 오시나요?", "인원은 몇 분이세요?", False),
    (
        "ko",
        "좌석은 룸, 홀, 야외 중 어디로 해 드릴까요?",
        "룸, 홀, 야외 중 어디로 해 드릴까요?",
        False,
    ),
    ("ko", "오늘 식사는 잘 하셨어요?", "식사는 잘 하고 계시나요?", False),
    ("ko", "어젯밤에는 잘 주무셨어요?", "어젯밤 푹 주무셨어요?", False),
    (
        "ko",
        "오늘도 건강하시고 좋은 하루 보내세요. 다음에 또 전화드릴게요.",
        "건강한 하루 보내세요. 다음에도 전화드릴게요.",
        False,
    ),
    (
        "ko",
        "12월 4일 오후 7시, 4명으로 예약해 드릴까요?",
        "12월 4일 오후 7시에 네 분 맞으시죠?",
        True,
    ),
    (
        "en",
        "What date would you like to book?",
        "Sure thing. Which date would you like to come in?",
        False,
    ),
    ("en", "How many people will there be?", "How many guests should I expect?", False),
    (
        "en",
        "Would you like a private room, the main hall, or outdoor seating?",
        "Where would you like to sit: a private room, the hall, or outside?",
        False,
    ),
    (
        "en",
        "How are you feeling? Any fever, cough or pain?",
        "How have you been? Any fever, coughing or pain at all?",
        False,
    ),
    (
        "en",
        "Take care, and have a lovely day. I'll call again soon.",
        "Take care! I'll call you again soon.",
        False,
    ),
    # 없다 is not a negation: both ask whether there is anything
    ("ko", "혹시 필요하신 것이나 도와드릴 일이 있으세요?", "혹시 필요하신 것 없으세요?", False),
    ("en", "Is there anything else I can help you with?", "Anything else I can do for you?", False),
    (
        "en",
        "So that's December 4th, 7 pm, 4 people, under Kim. Shall I book it?",
        "December 4th at 7 pm for 4, and your name is Kim, right?",
        True,
    ),
]


@pytest.mark.parametrize(
    ("lang", "template", "reply", "business", "faulted"),
    [
        ("ko", "몇 분이 오시나요?", "한강식당은 몇 분 안에 몇시인가요?", "한강식당", True),
        (
            "ko",
            "요즘 기분은 어떠세요?",
            "요즘에는 행복구청 돌봄센터에 가을감이 있나요?",
            "행복구청 돌봄센터",
            True,
        ),
        (
            "en",
            "What date would you like to book?",
            "What dates? I'm looking for a hangang kitchen restaurant.",
            "Hangang Kitchen",
            True,
        ),
        # a template that names it, or does not ask: not this fault
        (
            "en",
            "Hello, this is Jisoo at Hangang Kitchen. How can I help you?",
            "Hi, Hangang Kitchen, Jisoo speaking. How may I help?",
            "Hangang Kitchen",
            False,
        ),
        (
            "en",
            "Thank you for calling. Have a nice day.",
            "Thanks for calling Hangang Kitchen. Have a nice day.",
            "Hangang Kitchen",
            False,
        ),
        ("ko", "몇 분이 오시나요?", "인원은 몇 분이세요?", "한강식당", False),
    ],
)
def test_a_question_that_newly_names_the_business_asks_about_it(
    lang: str, template: str, reply: str, business: str, faulted: bool
) -> None:
    faults = meaning_faults(reply, template, lang, business=business)
    assert ("meaning:business" in faults) is faulted


@pytest.mark.parametrize(("lang", "template", "reply", "reason"), CHANGED)
def test_a_changed_meaning_is_caught(lang: str, template: str, reply: str, reason: str) -> None:
    assert reason in meaning_faults(reply, template, lang)


@pytest.mark.parametrize(("lang", "template", "reply", "confirming"), KEPT)
def test_a_faithful_rewording_is_kept(
    lang: str, template: str, reply: str, confirming: bool
) -> None:
    assert meaning_faults(reply, template, lang, confirming=confirming) == ()


@pytest.mark.parametrize(("lang", "kind", "candidate"), GOOD)
def test_the_fault_suites_faithful_paraphrases_keep_their_meaning(
    lang: str, kind: str, candidate: str
) -> None:
    template = TEMPLATES[(lang, kind)]
    assert meaning_faults(candidate, template, lang, confirming=kind == "confirm") == ()


def _fixture() -> list[dict[str, object]]:
    rows = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    assert isinstance(rows, list)
    return rows


def test_the_fixture_is_labelled_in_both_languages() -> None:
    rows = _fixture()
    assert {r["label"] for r in rows} == {"right", "awkward", "wrong"}
    labels = Counter((r["lang"], r["label"]) for r in rows)
    for lang in ("ko", "en"):
        assert labels[(lang, "right")] >= 5 and labels[(lang, "wrong")] >= 10
    assert {r["split"] for r in rows} == {"C", "F", "other", "G"}
    assert len({(r["template"], r["candidate"]) for r in rows}) == len(rows)


def test_on_the_benchmarks_own_passes_korean_wrong_is_caught_and_right_kept() -> None:
    """Korean: at least 2 in 3 wrong rewordings rejected (13 of 15 when written), every right
    one kept; English: every right one kept (its wrong ones mostly pass: docs/replies.md)."""
    seen: Counter[tuple[str, str, bool]] = Counter()
    for r in _fixture():
        if r["split"] == "G":
            continue  # a later adapter's passes: the rules were not written for them
        faults = meaning_faults(str(r["candidate"]), str(r["template"]), str(r["lang"]))
        seen[(str(r["lang"]), str(r["label"]), bool(faults))] += 1
    ko_wrong = seen[("ko", "wrong", True)] + seen[("ko", "wrong", False)]
    assert seen[("ko", "wrong", True)] * 3 >= ko_wrong * 2
    assert seen[("ko", "right", True)] == 0
    assert seen[("en", "right", True)] == 0
    assert seen[("en", "wrong", True)] >= 2  # the dropped symptom list and "your name is"


def test_the_rewriter_speaks_the_next_candidate_or_the_template() -> None:
    ask_party = SystemAct("request", slot="party_size", template="ask_party_size")
    llm = TakesLLM(["몇 분이 오셨어요?", "인원은 몇 분이세요?"])
    out = rewrite(llm, request("restaurant-ko", [ask_party], caller="예약이요"), candidates=2)
    assert (out.source, out.text) == ("llm", "인원은 몇 분이세요?")
    out = rewrite(
        TakesLLM(["What time would you like? And who is coming?"]),
        request("restaurant-en", [ASK_TIME]),
        candidates=1,
    )
    assert out.source == "template" and "meaning:asks_else" in out.reasons
    assert out.text == "What time would you like?"
