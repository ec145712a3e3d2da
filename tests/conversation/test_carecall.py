"""Outbound care calls: the check-in questions, what is stored, and who is flagged for follow-up."""

from __future__ import annotations

import pytest

from agent.runtime import AgentRuntime
from agent.store import CareCallResult
from tests.conversation.harness import Call, start_call

KO, EN = "carecall-ko", "carecall-en"


def _result(runtime: AgentRuntime, call: Call) -> CareCallResult:
    (result,) = [r for r in runtime.carecall.results() if r.call_id == call.call_id]
    return result


def test_all_is_well_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, KO, person="김영희")
    call.agent("행복구청 돌봄센터", "김영희 어르신 맞으신가요?")
    call.user("네 맞아요").agent("식사는 잘 하셨어요?")
    call.user("네 잘 먹었어요").agent("잘 드셨다니 다행이에요", "잘 주무셨어요?")
    call.user("푹 잤어요").agent("푹 주무셨다니 좋네요", "아픈 데는 없으세요?")
    call.user("괜찮아요 아픈 데 없어요").agent("기분은 어떠세요?")
    call.user("기분은 좋아요").agent("필요하신 것이나 도와드릴 일이")
    call.user("필요한 건 없어요").agent("말씀 잘 들었습니다", "건강하시고").agent_not(
        "담당 선생님께 전해서"
    )
    call.ends("completed")
    result = _result(runtime, call)
    assert result.person == "김영희" and not result.flagged and result.reasons == ()
    assert result.answers == {
        "identity": True,
        "meal": "ate_well",
        "sleep": "slept_well",
        "health": ["none"],
        "mood": "good",
        "needs": "nothing",
    }
    assert runtime.replay(call.call_id).state.answers == result.answers


def test_all_is_well_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, EN, person="Margaret Brown")
    call.agent("Riverside Care Center", "Am I speaking with Margaret Brown?")
    call.user("yes it is").agent("eating well")
    call.user("yes I ate well").agent("glad to hear", "sleep well")
    call.user("I slept like a baby").agent("good to hear", "Any fever, cough or pain?")
    call.user("I'm fine, nothing hurts").agent("mood")
    call.user("I feel good today").agent("anything you need")
    call.user("I don't need anything").agent("Thank you for telling me", "Take care")
    call.agent_not("care worker know").ends("completed")
    result = _result(runtime, call)
    assert not result.flagged
    assert result.answers == {
        "identity": True,
        "meal": "ate_well",
        "sleep": "slept_well",
        "health": ["none"],
        "mood": "good",
        "needs": "nothing",
    }


def test_symptoms_skipped_meals_and_a_request_flag_the_person_ko(runtime: AgentRuntime) -> None:
    call = start_call(runtime, KO)
    call.user("네")
    call.user("아침은 걸렀어요").agent("식사를 거르셨군요")
    call.user("잠을 통 못 잤어요").agent("잠을 설치셨군요")
    call.user("허리가 좀 아프고 기침도 나요")
    call.user("좀 외로워요")
    call.user("반찬이 다 떨어졌어요").agent("담당 선생님께 전해서 곧 연락드리도록 할게요").ends(
        "completed"
    )
    result = _result(runtime, call)
    assert result.flagged and result.reasons == ("symptom", "not_eating", "asks_for_help")
    assert result.answers["health"] == ["pain", "cough"]
    assert (result.answers["meal"], result.answers["mood"], result.answers["needs"]) == (
        "skipped",
        "bad",
        "help",
    )


def test_symptoms_skipped_meals_and_a_request_flag_the_person_en(runtime: AgentRuntime) -> None:
    call = start_call(runtime, EN)
    call.user("yes")
    call.user("I skipped breakfast").agent("you haven't eaten")
    call.user("I couldn't sleep at all").agent("sorry you didn't sleep well")
    call.user("my back hurts and I've been coughing")
    call.user("I'm a bit lonely")
    call.user("I've run out of groceries").agent("I'll let your care worker know").ends("completed")
    result = _result(runtime, call)
    assert result.flagged and result.reasons == ("symptom", "not_eating", "asks_for_help")
    assert result.answers["health"] == ["pain", "cough"]
    assert (result.answers["meal"], result.answers["mood"], result.answers["needs"]) == (
        "skipped",
        "bad",
        "help",
    )


@pytest.mark.parametrize(
    ("scenario", "answers", "reasons"),
    [
        (KO, ["네", "잘 먹었어요", "잘 잤어요", "열이 나요", "좋아요", "없어요"], ("symptom",)),
        (
            EN,
            ["yes", "I ate well", "slept well", "I have a fever", "good", "nothing"],
            ("symptom",),
        ),
        (
            KO,
            ["네", "못 먹었어요", "잘 잤어요", "아픈 데 없어요", "좋아요", "없어요"],
            ("not_eating",),
        ),
        (EN, ["yes", "I didn't eat", "slept well", "no pain", "good", "nothing"], ("not_eating",)),
        (
            KO,
            ["네", "잘 먹었어요", "잘 잤어요", "아픈 데 없어요", "좋아요", "약 좀 사다 주세요"],
            ("asks_for_help",),
        ),
        (
            EN,
            [
                "yes",
                "I ate well",
                "slept well",
                "no pain",
                "good",
                "could you bring me some medicine",
            ],
            ("asks_for_help",),
        ),
    ],
)
def test_each_flag_rule(
    runtime: AgentRuntime, scenario: str, answers: list[str], reasons: tuple[str, ...]
) -> None:
    call = start_call(runtime, scenario)
    for said in answers:
        call.user(said)
    call.ends("completed")
    assert _result(runtime, call).reasons == reasons


@pytest.mark.parametrize(
    ("scenario", "yes_words"),
    [
        (KO, ["네", "네", "네", "아니요", "네", "아니요"]),
        (EN, ["yes", "yeah", "yes", "no", "yes", "no"]),
    ],
)
def test_bare_yes_and_no_answer_the_questions(
    runtime: AgentRuntime, scenario: str, yes_words: list[str]
) -> None:
    # "did you eat well?" "yes" → ate well; "any pain?" "no" → none; "need anything?" "no" → nothing
    call = start_call(runtime, scenario)
    for i, said in enumerate(yes_words):
        if call.session.ended:
            break
        if i == 4:  # "how is your mood?" has no yes or no: a real answer
            said = "좋아요" if scenario == KO else "good"
        call.user(said)
    result = _result(runtime, call)
    assert result.answers == {
        "identity": True,
        "meal": "ate_well",
        "sleep": "slept_well",
        "health": ["none"],
        "mood": "good",
        "needs": "nothing",
    }
    assert not result.flagged


@pytest.mark.parametrize(
    ("scenario", "no", "sorry"),
    [
        (KO, "아니요", "전화를 잘못 드린 것 같아요"),
        (KO, "잘못 거셨어요", "전화를 잘못 드린 것 같아요"),
        (KO, "아닌데요", "전화를 잘못 드린 것 같아요"),
        (EN, "no", "wrong number"),
        (EN, "you have the wrong person", "wrong number"),
    ],
)
def test_wrong_person_ends_the_call_and_records_nothing(
    runtime: AgentRuntime, scenario: str, no: str, sorry: str
) -> None:
    call = start_call(runtime, scenario)
    call.user(no).agent(sorry).ends("wrong_person")
    assert runtime.carecall.results() == []  # nothing about a stranger is stored


@pytest.mark.parametrize(("scenario", "yes"), [(KO, "맞는데요"), (EN, "speaking")])
def test_identity_confirmed_without_a_yes_word(
    runtime: AgentRuntime, scenario: str, yes: str
) -> None:
    call = start_call(runtime, scenario)
    call.user(yes).goes_on()
    assert call.slots == {"identity": True} and call.state.requested == "meal"


@pytest.mark.parametrize(
    ("scenario", "mumbles", "sorry", "next_question"),
    [
        (KO, ["음", "그", "글쎄"], "잘 못 알아들었어요", "잘 주무셨어요?"),
        (EN, ["hmm", "uh", "er"], "didn't catch that", "sleep well"),
    ],
)
def test_unintelligible_answers_are_skipped_after_reprompts_and_flagged(
    runtime: AgentRuntime, scenario: str, mumbles: list[str], sorry: str, next_question: str
) -> None:
    call = start_call(runtime, scenario)
    call.user("네" if scenario == KO else "yes")
    call.user(mumbles[0]).agent(sorry)
    call.user(mumbles[1]).agent(sorry)
    assert call.state.requested == "meal"
    call.user(mumbles[2]).agent(next_question)  # max_reprompts: 2, then the question is skipped
    assert call.slots["meal"] == "unknown" and call.state.unintelligible == ["meal"]
    for said in (
        ["잘 잤어요", "아픈 데 없어요", "좋아요", "없어요"]
        if scenario == KO
        else ["slept well", "no pain", "good", "nothing"]
    ):
        call.user(said)
    call.ends("completed")
    result = _result(runtime, call)
    assert result.reasons == ("unintelligible",) and result.answers["meal"] == "unknown"


@pytest.mark.parametrize(
    ("scenario", "answers"),
    [(KO, ["네", "잘 먹었어요", "잘 잤어요"]), (EN, ["yes", "I ate well", "slept well"])],
)
def test_hang_up_mid_call_is_flagged_incomplete(
    runtime: AgentRuntime, scenario: str, answers: list[str]
) -> None:
    call = start_call(runtime, scenario)
    for said in answers:
        call.user(said)
    call.hangup()
    assert call.state.outcome == "hangup"
    result = _result(runtime, call)
    assert result.flagged and result.reasons == ("call_incomplete",)
    assert result.answers == {"identity": True, "meal": "ate_well", "sleep": "slept_well"}
    stored = runtime.calls.get_call(call.call_id)
    assert stored is not None and stored.status == "hangup"


@pytest.mark.parametrize(
    ("scenario", "person", "says"),
    [
        (KO, "담당자 바꿔 주세요", "담당 선생님께 연결"),
        (EN, "I want to speak to a person", "connect you to your care worker"),
    ],
)
def test_asking_for_a_person_mid_care_call(
    runtime: AgentRuntime, scenario: str, person: str, says: str
) -> None:
    call = start_call(runtime, scenario)
    call.user("네" if scenario == KO else "yes").user(person).agent(says).ends("handover")
    assert call.reply.transfer_to is not None
    assert _result(runtime, call).reasons == ("call_incomplete",)


@pytest.mark.parametrize("scenario", [KO, EN])
def test_silence_on_a_care_call(runtime: AgentRuntime, scenario: str) -> None:
    call = start_call(runtime, scenario)
    call.silence().agent("들리세요" if scenario == KO else "can you hear me").goes_on()
    call.silence().silence().ends("no_input")
    assert _result(runtime, call).reasons == ("call_incomplete",)  # someone should check on them


@pytest.mark.parametrize(
    ("scenario", "said", "health", "reasons"),
    [
        (KO, "열은 없고 괜찮아요", ["none"], ()),
        (KO, "안 아파요", ["none"], ()),
        (KO, "열은 없는데 기침이 좀 나요", ["cough"], ("symptom",)),
        (KO, "허리가 아프고 열은 없어요", ["pain"], ("symptom",)),
        (EN, "no fever, I'm fine", ["none"], ()),
        (EN, "it doesn't hurt anywhere", ["none"], ()),
        (EN, "no fever, just a cough", ["cough"], ("symptom",)),
        (EN, "my knee aches but no fever", ["pain"], ("symptom",)),
    ],
)
def test_a_denied_symptom_is_not_a_symptom(
    runtime: AgentRuntime, scenario: str, said: str, health: list[str], reasons: tuple[str, ...]
) -> None:
    call = start_call(runtime, scenario)
    ko = scenario == KO
    call.user("네" if ko else "yes").user("잘 먹었어요" if ko else "I ate well")
    call.user("잘 잤어요" if ko else "slept well")
    call.user(said)
    assert call.slots["health"] == health
    call.user("좋아요" if ko else "good").user("없어요" if ko else "nothing").ends("completed")
    assert _result(runtime, call).reasons == reasons
