"""Built-in wording, in both languages, for acts a scenario may leave without a template.

A refusal always says why, and a failure always apologises: when the scenario has no template
of its own for one of these acts, :class:`nlg.templates.TemplateNLG` says the built-in text in
the scenario's language. The scenario's template, when present, always wins.

Refusals of :func:`dialogue.restaurant.check_booking` (values: ``{date}``, ``{open}``,
``{last_booking}``, ``{max_party}``, ``{time}``, ``{seating}``, ``{options}``), refusals and
answers of any business's bookings (:mod:`dialogue.booking`: ``{provider}``, ``{service}``,
``{minutes}``, ``{close}``, ``{break_start}``, ``{break_end}``, ``{times}``, ``{providers}``...),
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
        # any business (dialogue.booking): each refusal says why, with the values it names
        "provider_day_off": {
            "ko": "죄송하지만 {date}에는 {provider} 진료나 근무가 없습니다. 다른 날짜를 말씀해 주시겠어요?",
            "en": "I'm sorry, {provider} is not in on {date}. Could you choose another day?",
        },
        "provider_not_for_service": {
            "ko": "죄송하지만 {service} 예약은 {providers}만 가능합니다.",
            "en": "I'm sorry, {service} is only done by {providers}.",
        },
        "provider_hours": {
            "ko": "죄송하지만 {provider} 예약은 {open}부터 {close} 사이에만 가능합니다.",
            "en": "I'm sorry, {provider} only sees bookings between {open} and {close}.",
        },
        "too_long_closing": {
            "ko": "죄송하지만 {service}에는 {minutes}분이 걸려서 {close} 마감 전에 끝나지 않습니다. "
            "더 이른 시간은 어떠세요?",
            "en": "I'm sorry, a {service} takes {minutes} minutes and would not finish before we "
            "close at {close}. Could you choose an earlier time?",
        },
        "overlaps_break": {
            "ko": "죄송하지만 {break_start}부터 {break_end}까지는 쉬는 시간이라, {minutes}분 걸리는 "
            "{service} 예약은 그 시간에 할 수 없습니다.",
            "en": "I'm sorry, we take a break from {break_start} to {break_end}, and a {service} "
            "takes {minutes} minutes, so it can't be booked at that time.",
        },
        "too_soon": {
            "ko": "죄송하지만 예약은 지금부터 최소 {lead_minutes}분 뒤부터 가능합니다.",
            "en": "I'm sorry, bookings need at least {lead_minutes} minutes' notice.",
        },
        "beyond_horizon": {
            "ko": "죄송하지만 예약은 오늘부터 {horizon_days}일 안으로만 받고 있습니다.",
            "en": "I'm sorry, we only take bookings up to {horizon_days} days ahead.",
        },
        "cancel_too_late": {
            "ko": "죄송하지만 예약 시간 {cancel_until_minutes}분 전부터는 전화로 변경이나 취소를 "
            "할 수 없습니다.",
            "en": "I'm sorry, a booking can't be changed or cancelled by phone less than "
            "{cancel_until_minutes} minutes before it starts.",
        },
        "slot_taken_offer": {
            "ko": "죄송하지만 {time}에는 예약이 찼습니다. {options} 가능합니다. 어떻게 해 드릴까요?",
            "en": "I'm sorry, {time} is already taken. We have {options}. Which would you like?",
        },
        "slot_taken_none": {
            "ko": "죄송하지만 {date}에는 빈 시간이 없습니다. 다른 날짜를 말씀해 주시겠어요?",
            "en": "I'm sorry, there's nothing free on {date}. Could you choose another day?",
        },
        "times_free": {
            "ko": "{date}에는 {times}에 가능합니다.",
            "en": "On {date} we have {times}.",
        },
        "times_none": {
            "ko": "죄송하지만 {date}에는 빈 시간이 없습니다.",
            "en": "I'm sorry, there's nothing free on {date}.",
        },
        "providers_found": {
            "ko": "{providers} 예약 가능합니다.",
            "en": "You can book with {providers}.",
        },
        "providers_none": {
            "ko": "죄송하지만 그때 예약 가능한 분이 없습니다.",
            "en": "I'm sorry, nobody is available then.",
        },
        "earliest_found": {
            "ko": "가장 빠른 시간은 {date} {time}입니다.",
            "en": "The earliest we have is {date} at {time}.",
        },
        "earliest_none": {
            "ko": "죄송하지만 예약 가능한 기간 안에 빈 시간이 없습니다.",
            "en": "I'm sorry, there's nothing free as far ahead as we take bookings.",
        },
        "last_provider": {
            "ko": "네, 지난번에 예약하셨던 {provider} 예약으로 진행하겠습니다.",
            "en": "Sure, {provider}, like last time.",
        },
        "no_last_provider": {
            "ko": "죄송하지만 이 번호로 된 지난 예약을 찾지 못했습니다.",
            "en": "I'm sorry, I couldn't find an earlier booking under your number.",
        },
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
