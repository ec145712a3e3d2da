"""A campaign's rules on a simulated clock: windows, days, Korean holidays, each person's time
zone, retries per outcome, answering machines, weekly rounds, and the state history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from agent.campaigns import (
    Campaigns,
    CampaignSpec,
    FixedClock,
    MachinePolicy,
    RetryPolicy,
    RetryRule,
    Schedule,
    read_people,
)
from agent.campaigns.policy import parse_days, parse_window
from agent.store import CallLog, SqlCareCallRecorder
from agent.store.campaign_models import CampaignAttempt
from common.errors import InputError
from tests.campaigns.conftest import (
    RecordingDialer,
    advance_to,
    korean_people,
    kst,
    setup_campaign,
)


def dial_all(campaigns: Campaigns, campaign_id: str, dialer: RecordingDialer) -> list[str]:
    """Claim what is due now and place it; the call SIDs."""
    sids = []
    for claim in campaigns.claim_due(campaign_id):
        sid = campaigns.place(claim, dialer)
        assert sid is not None
        sids.append(sid)
    return sids


def attempt_of(campaigns: Campaigns, sid: str) -> int:
    (attempt,) = {
        t.attempt_id
        for t in campaigns.history("test")
        if t.to_state == "dialing" and _sid_of(campaigns, t.attempt_id) == sid
    }
    return attempt


def _sid_of(campaigns: Campaigns, attempt_id: int) -> str | None:
    with campaigns.db.session() as s:
        row = s.get(CampaignAttempt, attempt_id)
        return row.call_sid if row else None


def test_no_call_outside_the_windows_days_and_holidays(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    setup_campaign(campaigns, tmp_path, korean_people(3), max_concurrent=10)
    assert campaigns.claim_due("test") == []  # Monday 09:00: the window opens at 10:00
    assert "outside the calling windows" in (campaigns.status("test").why_waiting or "")
    advance_to(clock, kst(21, 12, 30))  # the lunch gap between 10-12 and 14-17
    assert campaigns.claim_due("test") == []
    advance_to(clock, kst(24, 10, 30))  # Thursday: the day before Chuseok
    assert campaigns.claim_due("test") == []
    assert "public holiday 2026-09-24" in (campaigns.status("test").why_waiting or "")
    advance_to(clock, kst(25, 11))  # Friday: Chuseok
    assert campaigns.claim_due("test") == []
    assert "Chuseok" in (campaigns.status("test").why_waiting or "")
    advance_to(clock, kst(26, 11))  # Saturday (the second day of Chuseok too)
    assert campaigns.claim_due("test") == []
    advance_to(clock, kst(28, 10))  # Monday 10:00: open
    assert len(dial_all(campaigns, "test", dialer)) == 3


def test_the_korean_holidays_come_from_the_holidays_library() -> None:
    schedule = Schedule()
    assert schedule.next_opening(kst(23, 18)) == kst(28, 10)  # Chuseok 09-24..26 skipped
    assert "Chuseok" in (schedule.why_not(kst(25, 10)) or "")
    assert schedule.why_not(kst(3, 10, month=10)) is not None  # Saturday, National Foundation Day
    assert "Hangul Day" in (schedule.why_not(kst(9, 10, month=10)) or "")  # a Friday
    assert Schedule(holidays=None).allows(kst(25, 10))  # a campaign may call on holidays


def test_each_person_is_called_in_their_own_time_zone(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    campaigns.create(CampaignSpec("test", "carecall-ko", caller_id="+15550100100"))
    path = tmp_path / "people.csv"
    path.write_text(
        "name,phone,timezone\n김영희,010-1234-5678,\nJohn,+1 201 555 0123,America/New_York\n",
        encoding="utf-8",
    )
    campaigns.import_people("test", read_people(path, region="KR"))
    campaigns.start("test")
    advance_to(clock, kst(22, 10))  # Tuesday 10:00 in Seoul = Monday 21:00 in New York
    dial_all(campaigns, "test", dialer)
    assert [c.to for c in dialer.calls] == ["+821012345678"]
    advance_to(clock, kst(22, 23))  # Tuesday 10:00 in New York
    dial_all(campaigns, "test", dialer)
    assert [c.to for c in dialer.calls] == ["+821012345678", "+12015550123"]


@pytest.mark.parametrize(
    ("outcome", "status", "delays", "tries"),
    [
        ("no-answer", "no-answer", [3600, 7200], 3),  # 1 h, doubling, 3 attempts
        ("busy", "busy", [600], 2),  # 10 min, 2 attempts
        ("failed", "failed", [], 1),  # no retry
    ],
)
def test_retries_follow_the_rule_of_each_outcome(
    campaigns: Campaigns,
    clock: FixedClock,
    dialer: RecordingDialer,
    tmp_path: Path,
    outcome: str,
    status: str,
    delays: list[int],
    tries: int,
) -> None:
    retry = RetryPolicy().with_rules(
        {
            "no-answer": RetryRule(3600, 2.0, 3),
            "busy": RetryRule(600, 1.0, 2),
            "failed": RetryRule(60, 1.0, 1),
        }
    )
    setup_campaign(
        campaigns, tmp_path, korean_people(1), retry=retry, schedule=Schedule(holidays=None)
    )
    advance_to(clock, kst(21, 10))
    for i in range(tries):
        (sid,) = dial_all(campaigns, "test", dialer)
        attempt = attempt_of(campaigns, sid)
        result = campaigns.on_status(attempt, sid, status, detail="SIP 486" if i == 0 else None)
        assert result.finished
        if i < len(delays):
            assert result.retry_at == clock.now() + timedelta(seconds=delays[i])
            assert campaigns.claim_due("test") == []  # not before its time
            # due at 11:00, then 13:00 (the lunch gap): called when the window opens again
            opening = campaigns.get("test").schedule.next_opening(result.retry_at)
            assert opening is not None and opening >= result.retry_at
            advance_to(clock, opening)
        else:
            assert result.retry_at is None
    assert len(dialer.calls) == tries
    (person,) = campaigns.report("test").people
    assert person.result == "gave-up"
    assert person.attempts == tries
    assert f"gave up after {tries} of {tries} attempts" in campaigns.history("test")[-1].reason
    assert len(person.reasons) == tries and all(outcome in r for r in person.reasons)
    assert "SIP 486" in person.reasons[0]
    assert campaigns.report("test").totals["gave-up"] == 1


def test_the_state_history_says_why_someone_was_not_reached(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    retry = RetryPolicy().with_rules({"no-answer": RetryRule(1800, 1.0, 2)})
    setup_campaign(campaigns, tmp_path, [("김영희", "010-1234-5678")], retry=retry)
    advance_to(clock, kst(21, 10))
    (sid,) = dial_all(campaigns, "test", dialer)
    attempt = attempt_of(campaigns, sid)
    campaigns.on_status(attempt, sid, "initiated")
    campaigns.on_status(attempt, sid, "ringing")
    campaigns.on_status(attempt, sid, "no-answer")
    campaigns.on_status(attempt, sid, "no-answer")  # a repeated callback changes nothing
    advance_to(clock, kst(21, 10, 30))
    (sid2,) = dial_all(campaigns, "test", dialer)
    campaigns.on_status(attempt_of(campaigns, sid2), sid2, "busy")
    moves = [(t.from_state, t.to_state) for t in campaigns.history("test", "김영희")]
    assert moves == [
        (None, "queued"),
        ("queued", "dialing"),
        ("dialing", "retry-scheduled"),
        (None, "queued"),
        ("queued", "dialing"),
        ("dialing", "retry-scheduled"),
        (None, "queued"),
    ]
    history = campaigns.history("test", "+821012345678")
    assert [t.at for t in history] == sorted(t.at for t in history)
    assert "rang 30s, nobody answered" in history[2].reason
    assert "the line was busy" in history[5].reason
    (person,) = campaigns.report("test").people
    assert person.result == "retrying" and person.attempts == 2


def test_a_machine_is_hung_up_on_and_retried_by_the_voicemail_rule(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    retry = RetryPolicy().with_rules({"voicemail": RetryRule(7200, 1.0, 2)})
    setup_campaign(campaigns, tmp_path, korean_people(1), retry=retry)
    advance_to(clock, kst(21, 10))
    (sid,) = dial_all(campaigns, "test", dialer)
    assert dialer.calls[0].machine_detection == "Enable"
    attempt = attempt_of(campaigns, sid)
    action = campaigns.on_answer(attempt, sid, "machine_start")
    assert action.kind == "hangup"
    assert campaigns.status("test").active == 1  # on the line until Twilio says completed
    result = campaigns.on_status(attempt, sid, "completed", answered_by="machine_start")
    assert result.retry_at == kst(21, 12)
    (person,) = campaigns.report("test").people
    assert person.result == "retrying" and "voicemail" in person.reasons[0]


def test_a_message_is_left_on_the_machine_and_counts_as_reached(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    machine = MachinePolicy("message", "안녕하세요, {name}님. 안부 전화 드렸습니다.")
    setup_campaign(campaigns, tmp_path, [("박순자", "010-1234-5678")], machine=machine)
    advance_to(clock, kst(21, 10))
    (sid,) = dial_all(campaigns, "test", dialer)
    assert dialer.calls[0].machine_detection == "DetectMessageEnd"
    attempt = attempt_of(campaigns, sid)
    action = campaigns.on_answer(attempt, sid, "machine_end_beep")
    assert (action.kind, action.language) == ("message", "ko")
    assert action.text == "안녕하세요, 박순자님. 안부 전화 드렸습니다."
    assert campaigns.on_status(attempt, sid, "completed").retry_at is None
    (person,) = campaigns.report("test").people
    assert person.result == "reached-by-message"
    assert campaigns.report("test").totals["reached-by-message"] == 1


def test_a_person_who_answers_is_in_call_then_reached_when_the_agent_ran_the_call(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    setup_campaign(campaigns, tmp_path, korean_people(2))
    advance_to(clock, kst(21, 10))
    sid_a, sid_b = dial_all(campaigns, "test", dialer)
    a, b = attempt_of(campaigns, sid_a), attempt_of(campaigns, sid_b)
    assert campaigns.on_answer(a, sid_a, "human").kind == "stream"
    assert campaigns.on_answer(b, sid_b, None).kind == "stream"
    assert campaigns.status("test").states == {"in-call": 2}
    calls = CallLog(campaigns.db)
    calls.start_call(call_id=sid_a, scenario_id="carecall-ko", direction="outbound", caller=None)
    calls.end_call(sid_a, "completed", outcome="checked_in")
    SqlCareCallRecorder(campaigns.db).raise_flag(sid_a, "carecall-ko", "김영희0", ["chest pain"])
    assert campaigns.on_status(a, sid_a, "completed").finished
    # b answered but its media stream never reached the agent: failed, retried
    assert campaigns.on_status(b, sid_b, "completed").retry_at is not None
    report = {p.phone: p for p in campaigns.report("test").people}
    assert report[dialer.calls[0].to].result == "reached"
    assert "checked_in" in report[dialer.calls[0].to].reasons[0]
    assert report[dialer.calls[0].to].flagged
    assert report[dialer.calls[0].to].flag_reasons == ("chest pain",)
    assert campaigns.report("test").totals["flagged"] == 1
    assert report[dialer.calls[1].to].result == "retrying"
    assert "never ran the call" in report[dialer.calls[1].to].reasons[0]


def test_weekly_campaigns_create_each_weeks_attempts(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    setup_campaign(
        campaigns, tmp_path, korean_people(2), recurrence="weekly", schedule=Schedule(holidays=None)
    )
    advance_to(clock, kst(21, 10))
    for sid in dial_all(campaigns, "test", dialer):
        campaigns.on_status(attempt_of(campaigns, sid), sid, "no-answer")
    advance_to(clock, kst(27, 10))  # six days later: still week 1
    assert campaigns.sweep("test") == {}
    assert campaigns.get("test").current_round == 1
    advance_to(clock, kst(28, 9, 5))  # a week after the start (09:00): round 2 begins
    assert campaigns.sweep("test") == {"rounds": 1}
    assert campaigns.get("test").current_round == 2
    week1 = campaigns.report("test", 1)
    assert {p.result for p in week1.people} == {"gave-up"}  # week 1's retries were overtaken
    overtaken = [t for t in campaigns.history("test") if "round 2 began" in t.reason]
    assert [t.to_state for t in overtaken] == ["gave-up", "gave-up"]
    advance_to(clock, kst(28, 10))
    assert len(dial_all(campaigns, "test", dialer)) == 2
    assert campaigns.report("test").round == 2
    assert {p.result for p in campaigns.report("test").people} == {"calling"}


def test_a_one_off_campaign_finishes_when_everyone_is_done(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    retry = RetryPolicy().with_rules({"busy": RetryRule(60, 1.0, 1)})
    setup_campaign(campaigns, tmp_path, korean_people(1), retry=retry)
    advance_to(clock, kst(21, 10))
    (sid,) = dial_all(campaigns, "test", dialer)
    assert campaigns.sweep("test") == {}
    campaigns.on_status(attempt_of(campaigns, sid), sid, "busy")
    assert campaigns.sweep("test") == {"finished": 1}
    assert campaigns.get("test").status == "finished"


def test_pause_stops_new_calls_and_resume_starts_them(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    setup_campaign(campaigns, tmp_path, korean_people(2))
    advance_to(clock, kst(21, 10))
    campaigns.pause("test")
    assert campaigns.claim_due("test") == []
    with pytest.raises(InputError, match="paused, not running"):
        campaigns.pause("test")
    with pytest.raises(InputError, match="campaign resume"):
        campaigns.start("test")
    campaigns.resume("test")
    assert len(dial_all(campaigns, "test", dialer)) == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda: parse_days("someday"), "days"),
        (lambda: parse_window("12:00-10:00"), "after the start"),
        (lambda: parse_window("10-12"), "HH:MM-HH:MM"),
        (lambda: Schedule(timezone="Mars/Olympus"), "unknown time zone"),
        (lambda: Schedule(holidays="XX"), "no public-holiday calendar"),
        (lambda: RetryRule.parse("x2"), "a delay is needed"),
        (lambda: RetryRule.parse("soon"), "duration"),
        (lambda: RetryPolicy({"hangup": RetryRule(1)}), "unknown outcome"),
        (lambda: MachinePolicy("shout"), "hangup, message, off"),
        (lambda: MachinePolicy("message", " "), "needs the words"),
    ],
)
def test_bad_rules_are_clear_errors(bad, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        bad()


def test_retry_rules_parse_durations_backoff_and_maximum() -> None:
    assert RetryRule.parse("30m,x2,3") == RetryRule(1800, 2.0, 3)
    assert RetryRule.parse("1h") == RetryRule(3600, 1.0, 3)
    assert RetryRule.parse("90s,4") == RetryRule(90, 1.0, 4)
    assert parse_days("월-금") == (0, 1, 2, 3, 4) and parse_days("sat-mon") == (0, 5, 6)


def test_a_campaign_starts_only_with_a_caller_id(campaigns: Campaigns, tmp_path: Path) -> None:
    setup_campaign(campaigns, tmp_path, korean_people(1), start=False, caller_id=None)
    with pytest.raises(InputError, match="no caller id"):
        campaigns.start("test")
    with pytest.raises(InputError, match="not an E.164"):
        campaigns.start("test", caller_id="12")
    assert campaigns.start("test", caller_id="+15550100100").caller_id == "+15550100100"


def test_people_imported_into_a_running_campaign_join_the_current_round(
    campaigns: Campaigns, clock: FixedClock, dialer: RecordingDialer, tmp_path: Path
) -> None:
    setup_campaign(campaigns, tmp_path, korean_people(1))
    late = tmp_path / "late.csv"
    late.write_text("name,phone\nJane Doe,+1 201 555 0123\n", encoding="utf-8")
    assert campaigns.import_people("test", read_people(late, region="KR")) == 1
    assert campaigns.status("test").states == {"queued": 2}
    advance_to(clock, kst(21, 10))
    assert len(dial_all(campaigns, "test", dialer)) == 2
