"""Prompts that ask an LLM to reword a template line in persona and context.

Two shapes: a few-shot **completion** prompt for a base model (the bundled Gemma 3 270M), and a
**chat** (system + user message) for instruction-tuned models behind an OpenAI-compatible
endpoint. Both put what never changes within a scenario first, so that llama.cpp can reuse the
evaluated prefix from one turn to the next, and the turn's context last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nlg.llm import ChatMessage, reply_prompt
from scenarios.schema import Persona

__all__ = [
    "LABELS",
    "HistoryTurn",
    "chat_messages",
    "completion_prompt",
    "persona_line",
    "tuned_prompt",
]


@dataclass(frozen=True)
class HistoryTurn:
    """One line of the dialogue so far.

    Attributes:
        speaker: ``caller`` or ``agent``.
        text: what was said.
    """

    speaker: str
    text: str


LABELS = {
    "ko": {"caller": "손님", "script": "대본", "agent": "상담원", "none": "(말 없음)"},
    "en": {"caller": "Caller", "script": "Script", "agent": "Agent", "none": "(silence)"},
}

_HEADER = {
    "ko": (
        "{business}의 {tone} 전화 상담원 {name} 님이 대본을 자연스럽게 다시 말합니다. "
        "대본의 날짜, 시간, 숫자, 이름은 모두 그대로 말하고, 대본에 없는 정보는 말하지 "
        "않습니다. 질문은 질문으로 끝냅니다. {register}로 한두 문장만 말합니다.\n\n"
    ),
    "en": (
        "{name} ({tone}) answers the phone at {business} and says the script line in their "
        "own words. Every date, time, number and name of the script is said, nothing the "
        "script does not say is added, and a question stays a question. One or two short "
        "sentences.\n\n"
    ),
}

# (caller, script, agent): rewordings that keep every value and add none.
_EXAMPLES = {
    "ko": (
        (
            "예약하려고 전화했어요",
            "몇 월 며칠로 예약해 드릴까요?",
            "네, 예약 도와드릴게요. 몇 월 며칠로 예약해 드릴까요?",
        ),
        (
            "음 잘 모르겠어요",
            "죄송합니다, 잘 이해하지 못했습니다. 몇 분이 오시나요?",
            "죄송해요, 제가 잘 못 알아들었어요. 몇 분이 오시나요?",
        ),
        (
            "네 맞아요",
            "예약자 성함을 말씀해 주세요.",
            "네, 알겠습니다. 예약하실 분 성함을 말씀해 주시겠어요?",
        ),
        (
            "금요일 저녁 7시에 네 명이요",
            "12월 4일 금요일 저녁 7시, 4명, 홀 좌석, 박서준 님으로 예약해 드릴까요?",
            "네, 12월 4일 금요일 저녁 7시에 4명, 홀 좌석으로 박서준 님 성함으로 예약해 드릴까요?",
        ),
        (
            "아니요 없어요",
            "전화 주셔서 감사합니다. 좋은 하루 보내세요.",
            "네, 전화 주셔서 감사합니다. 좋은 하루 보내세요.",
        ),
    ),
    "en": (
        (
            "Hi, I'd like to book a table.",
            "What date would you like to book?",
            "Sure, I can help with that. What date would you like to book?",
        ),
        (
            "Hmm, not sure.",
            "Sorry, I didn't quite understand that. How many people will there be?",
            "Sorry, I didn't catch that. How many people will be joining?",
        ),
        (
            "Yes, that's right.",
            "May I have the name for the booking?",
            "Great. And what name should I put the booking under?",
        ),
        (
            "Friday at seven, four of us.",
            "So that's Friday, December 4th at 7 pm, 4 people, main hall seating, under "
            "Sam Park, phone 555-123-4567. Shall I book it?",
            "Got it, Friday, December 4th at 7 pm for 4 people in the main hall, under Sam "
            "Park, phone 555-123-4567. Shall I book that?",
        ),
        (
            "No, that's all.",
            "Thank you for calling. Have a nice day.",
            "Thanks so much for calling. Have a lovely day.",
        ),
    ),
}


_TONES_KO = {
    "friendly": "친절한",
    "warm": "따뜻한",
    "formal": "격식 있는",
    "calm": "차분한",
    "cheerful": "밝은",
}


def _tone(persona: Persona, lang: str) -> str:
    # A Korean prompt with English words in it invites English (or mixed) replies.
    return _TONES_KO.get(persona.tone, "친절한") if lang == "ko" else persona.tone


def _register(persona: Persona) -> str:
    return "반말" if persona.honorific == "casual" else "존댓말"


def _header(persona: Persona, lang: str) -> str:
    return _HEADER[lang].format(
        business=persona.business,
        name=persona.name,
        tone=_tone(persona, lang),
        register=_register(persona),
    )


def _last_caller(history: Sequence[HistoryTurn]) -> str | None:
    return next((t.text for t in reversed(history) if t.speaker == "caller"), None)


def completion_prompt(
    persona: Persona, lang: str, history: Sequence[HistoryTurn], template_text: str
) -> str:
    """A few-shot prompt for a base model; its completion (up to a newline) is the reply."""
    labels = LABELS[lang]
    parts = [_header(persona, lang)]
    for caller, script, agent in _EXAMPLES[lang]:
        parts.append(
            f"{labels['caller']}: {caller}\n{labels['script']}: {script}\n"
            f"{labels['agent']}: {agent}\n\n"
        )
    caller_text = _last_caller(history) or labels["none"]
    parts.append(
        f"{labels['caller']}: {caller_text}\n{labels['script']}: {template_text}\n"
        f"{labels['agent']}:"
    )
    return "".join(parts)


_SYSTEM = {
    "ko": (
        "당신은 {business}의 전화 상담원 {name}입니다. 말투: {tone}, {register}. "
        "주어진 대본을 통화 맥락에 맞게 자연스럽게 다시 말하세요. 규칙: 대본의 날짜, 시간, "
        "숫자, 이름, 전화번호를 모두 그대로 말합니다. 대본에 없는 날짜, 시간, 숫자, 이름, "
        "가격이나 약속은 절대 더하지 않습니다. 대본이 묻는 것은 같은 것을 묻는 질문으로 "
        "끝냅니다. 예약이 완료됐다고 말하지 않습니다(대본이 그렇게 말할 때만). 한국어로만, "
        "한두 문장, 따옴표나 설명 없이 할 말만 답합니다."
    ),
    "en": (
        "You are {name}, answering the phone for {business}. Tone: {tone}. Reword the given "
        "script line naturally for the conversation so far. Rules: say every date, time, "
        "number, name and phone number of the script exactly; never add a date, time, number, "
        "name, price or promise the script does not contain; if the script asks something, "
        "end by asking the same thing; never say a booking is made unless the script does. "
        "English only, one or two sentences, no quotes or explanations: only the line."
    ),
}

_USER = {
    "ko": "지금까지의 통화:\n{history}\n\n대본: {script}\n\n상담원이 할 말:",
    "en": "The call so far:\n{history}\n\nScript: {script}\n\nWhat the agent says:",
}


def chat_messages(
    persona: Persona, lang: str, history: Sequence[HistoryTurn], template_text: str
) -> list[ChatMessage]:
    """A system + user chat for an instruction-tuned model."""
    labels = LABELS[lang]
    system = _SYSTEM[lang].format(
        business=persona.business,
        name=persona.name,
        tone=_tone(persona, lang),
        register=_register(persona),
    )
    lines = [f"{labels[t.speaker]}: {t.text}" for t in history if t.speaker in labels]
    user = _USER[lang].format(history="\n".join(lines) or labels["none"], script=template_text)
    return [ChatMessage("system", system), ChatMessage("user", user)]


# (template, rewording) in the tuned generator's own format: real rewordings (not the template
# with "네, " in front), the agent's side of the call (드릴까요, "shall I", never "help me"),
# values kept. None of them is a shipped template, and their values differ from the
# benchmark's, so a copied example fails the checks.
_TUNED_EXAMPLES = {
    "ko": (
        ("몇 분이 오시나요?", "방문하실 인원은 몇 분이세요?"),
        ("예약자 성함을 말씀해 주세요.", "예약하실 분 성함이 어떻게 되세요?"),
        (
            "12월 4일 금요일 저녁 7시, 4명으로 예약해 드릴까요?",
            "확인해 볼게요. 12월 4일 금요일 저녁 7시에 4명, 이대로 예약해 드릴까요?",
        ),
        ("약은 잘 챙겨 드시고 계세요?", "요즘 드시는 약은 빠뜨리지 않고 잘 드시고 계세요?"),
        (
            "전화 주셔서 감사합니다. 좋은 하루 보내세요.",
            "전화해 주셔서 고맙습니다. 오늘 하루도 즐겁게 보내세요.",
        ),
    ),
    "en": (
        ("How many people will there be?", "And how many guests should I expect?"),
        ("May I have the name for the booking?", "Whose name should I put the booking under?"),
        (
            "So that's Friday, December 4th at 7 pm, 4 people. Shall I book it?",
            "Just to check: Friday, December 4th, 7 pm, a table for 4. Would you like me to "
            "book that?",
        ),
        (
            "Have you been taking your medicine?",
            "Have you been keeping up with your medicine lately?",
        ),
        (
            "Thank you for calling. Have a nice day.",
            "Thanks so much for calling, and enjoy the rest of your day.",
        ),
    ),
}


def persona_line(persona: Persona, lang: str) -> str:
    """The persona as the tuned generator's prompts give it."""
    if lang == "ko":
        return (
            f"{_tone(persona, lang)} {persona.business} 상담원 {persona.name}, {_register(persona)}"
        )
    return f"{persona.tone} agent {persona.name} at {persona.business}"


def tuned_prompt(persona: Persona, lang: str, template_text: str, *, examples: bool) -> str:
    """The tuned generator's reword prompt (``nlg.llm.reply_prompt``), with the persona.

    With ``examples``, five worked rewordings in the same format come first (the fixed part:
    llama.cpp reuses its evaluated prefix from one turn to the next).
    """
    who = persona_line(persona, lang)
    shots = ""
    if examples:
        shots = "".join(
            f"{reply_prompt(script, lang, who)} {agent}\n\n"
            for script, agent in _TUNED_EXAMPLES[lang]
        )
    return shots + reply_prompt(template_text, lang, who)
