"""Memory between care calls: the next weekly call refers back to the last answers (ko/en).

Real runtime on a SQLite file, the care-call scenarios as shipped; the clock moves a week
between the calls, as a weekly campaign would.
"""

from __future__ import annotations

from datetime import timedelta

from agent.runtime import AgentRuntime
from tests.conversation.harness import Call, Clock, start_call

KO, EN = "carecall-ko", "carecall-en"


def _answers(runtime: AgentRuntime, call: Call) -> dict[str, object]:
    (result,) = [r for r in runtime.carecall.results() if r.call_id == call.call_id]
    return dict(result.answers)


def _first_call_ko(runtime: AgentRuntime, person_id: str) -> Call:
    call = start_call(runtime, KO, person="김영희", person_id=person_id)
    call.agent("김영희 어르신 맞으신가요?")
    call.user("네 맞아요").agent("식사는 잘 하셨어요?").agent_not("지난주에")
    call.user("네 잘 먹었어요")
    call.user("푹 잤어요")
    call.user("무릎이 좀 아파요")
    call.user("좀 외로워요")
    call.user("필요한 건 없어요").ends("completed")
    call.close()
    return call


def _first_call_en(runtime: AgentRuntime, person_id: str) -> Call:
    call = start_call(runtime, EN, person="Margaret Brown", person_id=person_id)
    call.agent("Am I speaking with Margaret Brown?")
    call.user("yes it is").agent("eating well").agent_not("last week")
    call.user("yes I ate well")
    call.user("I slept like a baby")
    call.user("my knee hurts")
    call.user("I'm a bit lonely")
    call.user("I don't need anything").ends("completed")
    call.close()
    return call


def test_second_weekly_call_refers_back_ko(runtime: AgentRuntime, clock: Clock) -> None:
    first = _first_call_ko(runtime, "p-001")
    assert _answers(runtime, first)["health"] == ["pain"]
    clock.now += timedelta(days=7)
    call = start_call(runtime, KO, person="김영희", person_id="p-001")
    call.user("네 맞아요").agent("지난주에 몸이 아프다고 하셨는데 좀 어떠세요?")
    call.user("이제 많이 나아졌어요").agent("나아지셨다니", "식사는 잘 하셨어요?")
    call.user("네 잘 먹었어요")
    call.user("푹 잤어요")
    call.user("괜찮아요 아픈 데 없어요").agent("지난주에 기분이 좀 울적하다고 하셨는데")
    call.user("아직 그대로예요").agent("여전하시군요", "요즘 기분은 어떠세요?")
    call.user("그냥 그래요")
    call.user("필요한 건 없어요").ends("completed")
    call.close()
    answers = _answers(runtime, call)
    assert answers["health_change"] == "better" and answers["mood_change"] == "same"
    assert answers["health"] == ["none"] and answers["mood"] == "so_so"
    (second,) = [c for c in runtime.carecall.history("p-001") if c.call_id == call.call_id]
    assert second.recalled["health_change"]["value"] == "pain"
    assert second.recalled["health_change"]["call_id"] == first.call_id
    assert second.recalled["mood_change"]["value"] == "bad"
    # the third week: nothing hurt and the mood was so-so last time, so no follow-up at all
    clock.now += timedelta(days=7)
    third = start_call(runtime, KO, person="김영희", person_id="p-001")
    third.user("네").agent("식사는 잘 하셨어요?").agent_not("하셨는데")


def test_second_weekly_call_refers_back_en(runtime: AgentRuntime, clock: Clock) -> None:
    first = _first_call_en(runtime, "p-101")
    clock.now += timedelta(days=7)
    call = start_call(runtime, EN, person="Margaret Brown", person_id="p-101")
    call.user("yes").agent("When we spoke last week, you said you were in pain. How is it now?")
    call.user("it got worse").agent("sorry it's worse", "eating well")
    call.user("yes I ate well")
    call.user("I slept like a baby")
    call.user("my knee still hurts").agent("When we spoke last week, you were feeling low")
    call.user("much better, thank you").agent("glad it's better", "how has your mood been")
    call.user("I feel good today")
    call.user("I don't need anything").agent("care worker know").ends("completed")
    call.close()
    answers = _answers(runtime, call)
    assert answers["health_change"] == "worse" and answers["mood_change"] == "better"
    flags = runtime.carecall.flags(person_id="p-101")
    assert [f.call_id for f in flags] == [first.call_id, call.call_id]
    assert "getting_worse" in flags[1].reasons and flags[1].person_id == "p-101"


def test_an_old_answer_is_not_referred_back_to(runtime: AgentRuntime, clock: Clock) -> None:
    _first_call_ko(runtime, "p-002")
    clock.now += timedelta(days=15)  # memory.within_days is 14
    call = start_call(runtime, KO, person="김영희", person_id="p-002")
    call.user("네").agent("식사는 잘 하셨어요?").agent_not("아프다고 하셨는데")


def test_memory_is_per_person(runtime: AgentRuntime, clock: Clock) -> None:
    _first_call_en(runtime, "p-102")
    clock.now += timedelta(days=7)
    other = start_call(runtime, EN, person="John Smith", person_id="p-103")
    other.user("yes").agent("eating well").agent_not("When we spoke")
    same = start_call(runtime, EN, person="Margaret Brown", person_id="p-102")
    same.user("yes").agent("you said you were in pain")


def test_without_person_id_the_number_called_is_the_person(
    runtime: AgentRuntime, clock: Clock
) -> None:
    first = runtime.new_call(KO, caller="+8225550100", callee="+821012345678", person="김영희")
    first.start()
    for line in ("네", "네 잘 먹었어요", "푹 잤어요", "열이 나요", "기분은 좋아요", "없어요"):
        first.user_text(line)
    first.close()
    clock.now += timedelta(days=3)
    call = runtime.new_call(KO, caller="+8225550100", callee="+821012345678", person="김영희")
    call.start()
    reply = call.user_text("네")
    assert "며칠 전에 열이 난다고 하셨는데" in reply.text
    assert [c.person_id for c in runtime.carecall.history("+821012345678")] == ["+821012345678"] * 2


def test_an_unclear_answer_to_the_follow_up_is_recorded_unknown(
    runtime: AgentRuntime, clock: Clock
) -> None:
    _first_call_en(runtime, "p-104")
    clock.now += timedelta(days=7)
    call = start_call(runtime, EN, person="Margaret Brown", person_id="p-104")
    call.user("yes").agent("you said you were in pain")
    call.user("the weather is nice").agent("didn't catch that", "you said you were in pain")
    call.user("my grandson visited").agent("you said you were in pain")
    call.user("banana").agent("eating well")
    call.hangup()
    assert _answers(runtime, call)["health_change"] == "unknown"
