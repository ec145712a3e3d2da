"""Built-in wording, in both languages, for acts a scenario may leave without a template.

A refusal always says why, and a failure always apologises: when the scenario has no template
of its own for one of these acts, :class:`nlg.templates.TemplateNLG` says the built-in text in
the scenario's language. The scenario's template, when present, always wins.

Refusals of :func:`dialogue.restaurant.check_booking` (values: ``{date}``, ``{open}``,
``{last_booking}``, ``{max_party}``, ``{time}``, ``{seating}``, ``{options}``),
and apologies of :class:`agent.session.CallSession` (``store_down``: the database failed;
``turn_failed``: anything else went wrong during a turn).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["BUILTIN_TEMPLATES", "builtin_template"]

#: key → language → text.
BUILTIN_TEMPLATES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "closed_day": {
            # a rendered Korean date ends in 요일: 은, never 는
            "ko": "죄송하지만 {date}은 휴무입니다.",
            "en": "I'm sorry, we're closed on {date}.",
        },
        "outside_hours": {
            "ko": "죄송하지만 예약은 {open}부터 {last_booking}까지 가능합니다.",
            "en": "I'm sorry, we take bookings from {open} to {last_booking}.",
        },
        "past_time": {
            "ko": "죄송하지만 이미 지난 시간이라 예약할 수 없습니다.",
            "en": "I'm sorry, that time has already passed.",
        },
        "party_too_large": {
            "ko": "죄송하지만 한 번에 {max_party}명까지만 예약할 수 있습니다.",
            "en": "I'm sorry, we can only book up to {max_party} people at a time.",
        },
        "party_too_small": {
            "ko": "죄송하지만 인원은 한 명 이상이어야 합니다.",
            "en": "I'm sorry, a booking needs at least one person.",
        },
        # every value of the act is said (a reworded reply is checked for each one)
        "no_capacity_offer": {
            "ko": "죄송하지만 {time}에는 {seating} 자리가 없습니다. {options} 가능합니다. "
            "어떻게 해 드릴까요?",
            "en": "I'm sorry, there is no {seating} free at {time}. We have {options}. "
            "Which would you like?",
        },
        "no_capacity_none": {
            "ko": "죄송하지만 그날은 {seating} 예약이 모두 찼습니다. 다른 날짜를 말씀해 주시겠어요?",
            "en": "I'm sorry, the {seating} is fully booked that day. Could you choose another date?",
        },
        "option_or": {"ko": "또는", "en": "or"},
        "store_down": {
            "ko": "죄송합니다. 지금 시스템에 문제가 있어 처리하지 못했습니다. "
            "잠시 후 다시 전화해 주세요.",
            "en": "I'm sorry, our system has a problem right now and I couldn't complete that. "
            "Please call again shortly.",
        },
        "turn_failed": {
            "ko": "죄송합니다. 저희 쪽에 문제가 생겨 지금은 더 도와드리기 어렵습니다.",
            "en": "I'm sorry, something went wrong on our side and I can't help further right now.",
        },
    }
)


def builtin_template(key: str, language: str) -> str | None:
    """The built-in text of ``key`` in ``language``, or None when there is none."""
    texts = BUILTIN_TEMPLATES.get(key)
    return None if texts is None else texts.get(language, texts["en"])
