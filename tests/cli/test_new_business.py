"""A new business is a scenario file, nothing else: written to a folder, booked through ``aicall chat``.

The two businesses below (a pet groomer in Korean, a tutoring centre in English) exist nowhere in
the project: the test writes their files into a temporary folder, the ``aicall`` command loads
them (``--scenario-dir``, or the file's path) and a caller books by text, then ``aicall bookings
list`` shows what was stored. The same for a file made by ``aicall scenario new --from booking``
(the starter an operator begins from), as shipped. The first booking runs the installed program
in a subprocess; the rest run the same command in process (one NLU training per scenario).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from common.errors import AicallError
from scenarios.loader import load_scenario
from tests.cli.conftest import Run

NOW = "2026-11-25T10:00"  # a Wednesday

PET_GROOMER_KO = """
id: doggy-spa-ko
language: ko
direction: inbound
domain: pet_grooming
persona: {name: 다온, business: 몽글펫살롱}
facts:
  hours: 화요일부터 토요일까지 오전 10시부터 오후 7시까지 합니다.
booking:
  id: doggy-spa
  timezone: Asia/Seoul
  slot_minutes: 30
  hours: {default: {open: "10:00", close: "19:00"}}
  closed_days: [sunday, monday]
  lead_minutes: 60
  resources:
    yuna: {label: 유나 미용사님, kind: groomer, synonyms: [유나 미용사님, 유나 쌤, 유나]}
    tub: {label: 목욕실, kind: room}
  services:
    bath: {label: 목욕, minutes: 60, provider_kind: groomer, also_needs: [tub]}
    full: {label: 전체 미용, minutes: 120, provider_kind: groomer, also_needs: [tub]}
slots:
  service:
    type: category
    prompt: ask_service
    values:
      bath: {label: 목욕, synonyms: [목욕, 샤워]}
      full: {label: 전체 미용, synonyms: [전체 미용, 전체미용, 미용, 털 깎기]}
  provider:
    type: category
    prompt: ask_provider
    values:
      yuna: {label: 유나 미용사님, synonyms: [유나 미용사님, 유나 쌤, 유나]}
      any: {label: 아무나, synonyms: [아무나, 상관없어요]}
  date: {type: date, prompt: ask_date}
  time: {type: time, prompt: ask_time}
  name: {type: name, prompt: ask_name}
  phone: {type: phone, prompt: ask_phone, default: caller_id}
intents:
  book:
    description: 강아지 목욕이나 미용 예약
    examples:
      - 예약하고 싶어요
      - 강아지 미용 예약하려고요
      - "[목욕](service:bath) 예약 돼요?"
      - "[내일](date) [오후 2시](time)에 [전체 미용](service:full) 되나요"
      - 우리 강아지 털 좀 깎으려고요
  inform:
    description: 예약 정보만 말하는 답
    examples:
      - "[목욕](service:bath)이요"
      - "[유나 쌤](provider:yuna)으로요"
      - "[금요일](date)이요"
      - "[오전 11시](time)요"
      - "[김보리](name)입니다"
  affirm: {description: 긍정, examples: [네, 맞아요, 좋아요, 그렇게 해 주세요]}
  deny: {description: 부정, examples: [아니요, 아뇨, 없어요, 괜찮아요]}
  goodbye: {description: 끝인사, examples: [끊을게요, 안녕히 계세요]}
  repeat: {description: 다시 말해 달라는 말, examples: [다시 말씀해 주세요, 뭐라고요]}
  human: {description: 직원을 찾는 말, examples: [직원 바꿔 주세요, 사람이랑 통화할게요]}
tasks:
  book:
    intent: book
    slots: [service, provider, date, time, name, phone]
    action: create_booking
    validate: booking_availability
templates:
  greet: 안녕하세요, {persona.business}입니다. 무엇을 도와드릴까요?
  ask_service: 목욕과 전체 미용 중 어떤 걸로 해 드릴까요?
  ask_provider: 원하시는 미용사님이 계세요?
  ask_date: 며칠로 예약해 드릴까요?
  ask_time: 몇 시로 예약해 드릴까요?
  ask_name: 보호자 성함을 말씀해 주세요.
  ask_phone: 연락처를 말씀해 주세요.
  confirm_book: "{date} {time}, {provider} {service}, {name} 님으로 예약해 드릴까요?"
  done_book: 예약되었습니다. {date} {time}에 뵙겠습니다.
  what_to_correct: 어느 부분을 바꿔 드릴까요?
  anything_else: 더 도와드릴 일이 있을까요?
  not_understood: 죄송합니다, 잘 이해하지 못했습니다.
  no_input: 여보세요?
  confirm_yes_no: 네 또는 아니요로 말씀해 주세요.
  fallback_end: 다음에 다시 전화해 주세요.
  handover: 직원에게 연결해 드리겠습니다.
  bye: 감사합니다. 안녕히 계세요.
"""

TUTORING_EN = """
id: bright-minds-en
language: en
direction: inbound
domain: tutoring
persona: {name: Sam, business: Bright Minds Tutoring}
booking:
  id: bright-minds
  timezone: America/New_York
  slot_minutes: 30
  hours:
    default: {open: "14:00", close: "20:00"}
    saturday: {open: "09:00", close: "13:00"}
  closed_days: [sunday]
  resources:
    ms_ortiz: {label: Ms. Ortiz, kind: tutor, synonyms: [Ms. Ortiz, Ortiz]}
    mr_chen: {label: Mr. Chen, kind: tutor, synonyms: [Mr. Chen, Chen], days_off: [friday]}
  services:
    maths: {label: maths lesson, minutes: 60, provider_kind: tutor}
    essay: {label: essay coaching, minutes: 90, provider_kind: tutor, providers: [ms_ortiz]}
slots:
  service:
    type: category
    prompt: ask_service
    values:
      maths: {label: maths lesson, synonyms: [maths, math, maths lesson, algebra]}
      essay: {label: essay coaching, synonyms: [essay, essay coaching, writing]}
  provider:
    type: category
    prompt: ask_provider
    values:
      ms_ortiz: {label: Ms. Ortiz, synonyms: [Ms. Ortiz, Ortiz]}
      mr_chen: {label: Mr. Chen, synonyms: [Mr. Chen, Chen]}
      any: {label: any tutor, synonyms: [anyone, any tutor, whoever]}
  date: {type: date, prompt: ask_date}
  time: {type: time, prompt: ask_time}
  name: {type: name, prompt: ask_name}
  phone: {type: phone, prompt: ask_phone, default: caller_id}
intents:
  book:
    description: The caller wants to book a lesson.
    examples:
      - I'd like to book a lesson
      - can I book a tutoring session
      - "I need a [maths](service:maths) lesson [tomorrow](date) at [4 pm](time)"
      - "can my son see [Mr. Chen](provider:mr_chen)"
      - book a session please
  inform:
    description: The caller gives lesson details.
    examples:
      - "[maths](service:maths)"
      - "[Ms. Ortiz](provider:ms_ortiz) please"
      - "[Thursday](date)"
      - "[5 pm](time)"
      - "my name is [Ann Lee](name)"
  affirm: {description: Yes., examples: [yes, yeah, correct, sure]}
  deny: {description: No., examples: [no, nope, that's all, no thanks]}
  goodbye: {description: Bye., examples: [bye, goodbye]}
  repeat: {description: Say it again., examples: [pardon, say that again]}
  human: {description: A person., examples: [can I talk to a person, real person please]}
tasks:
  book:
    intent: book
    slots: [service, provider, date, time, name, phone]
    action: create_booking
    validate: booking_availability
templates:
  greet: Hello, {persona.business}, this is {persona.name}. How can I help?
  ask_service: A maths lesson or essay coaching?
  ask_provider: Would you like Ms. Ortiz or Mr. Chen?
  ask_date: Which day?
  ask_time: What time?
  ask_name: May I have the student's name?
  ask_phone: What number can we reach you on?
  confirm_book: "A {service} with {provider} on {date} at {time} for {name}. Shall I book it?"
  done_book: Booked. See you on {date} at {time}.
  what_to_correct: What would you like to change?
  anything_else: Anything else?
  not_understood: Sorry, I didn't get that.
  no_input: Are you still there?
  confirm_yes_no: Please say yes or no.
  fallback_end: Please call again later.
  handover: Let me put you through.
  bye: Thanks for calling. Bye.
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``aicall`` in this process (its NLU trained once per process), data in ``tmp_path``.

    Returns what the subprocess runner returns (``returncode``, ``stdout``, ``stderr``); a project
    error is turned into exit status 2 and its one line, as ``aicall`` prints it.
    """
    monkeypatch.chdir(tmp_path)
    env = {"AICALL_DATA_DIR": str(tmp_path / "data"), "AICALL_SCENARIO_DIRS": "[]"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        res = CliRunner().invoke(app, list(args), input=stdin, env=env)
        if isinstance(res.exception, AicallError):
            return subprocess.CompletedProcess(
                args, 2, res.stdout, f"aicall: error: {res.exception}\n"
            )
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        return subprocess.CompletedProcess(args, res.exit_code, res.stdout, "")

    return run


def _chat(run: Run, ref: str, lines: list[str], *extra: str) -> list[str]:
    done = run(
        "chat", "--scenario", ref, "--caller", "+821012345678", "--now", NOW, *extra,
        stdin="\n".join(lines) + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def _bookings(run: Run) -> list[dict[str, object]]:
    listed = run("bookings", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows: list[dict[str, object]] = json.loads(listed.stdout)
    return rows


def test_a_korean_pet_groomer_from_a_folder(aicall: Run, cli: Run, tmp_path: Path) -> None:
    """The real ``aicall`` program (a subprocess) books; the follow-up runs in process."""
    folder = tmp_path / "businesses"
    folder.mkdir()
    (folder / "doggy-spa-ko.yaml").write_text(PET_GROOMER_KO, encoding="utf-8")
    out = _chat(
        aicall,
        "doggy-spa-ko",
        ["강아지 미용 예약하려고요", "전체 미용이요", "유나 쌤으로요", "금요일 오후 2시요",
         "김보리입니다", "네", "아니요"],
        "--scenario-dir", str(folder),
    )  # fmt: skip
    assert out[0] == "agent> 안녕하세요, 몽글펫살롱입니다. 무엇을 도와드릴까요?"
    assert (
        "agent> 11월 27일 금요일 오후 2시, 유나 미용사님 전체 미용, 김보리 님으로 예약해 드릴까요?"
        in out
    )
    assert any(line.startswith("agent> 예약되었습니다") for line in out), out
    assert out[-1] == "[call ended: completed]"
    (booking,) = _bookings(aicall)
    assert booking["start"] == "2026-11-27T14:00:00"
    assert (booking["service"], booking["provider"], booking["venue"]) == (
        "full",
        "yuna",
        "doggy-spa",
    )
    assert (booking["name"], booking["phone"], booking["status"]) == (
        "김보리",
        "01012345678",
        "active",
    )
    # the tub is held with the groomer: a bath at 3 pm the same day finds the tub busy
    again = _chat(
        cli, "doggy-spa-ko", ["목욕 예약 돼요?", "유나 쌤으로요", "금요일 오후 3시요"],
        "--scenario-dir", str(folder),
    )  # fmt: skip
    assert any("예약이 찼습니다" in line for line in again), again
    assert len(_bookings(cli)) == 1


def test_an_english_tutoring_centre_from_a_file(cli: Run, tmp_path: Path) -> None:
    path = tmp_path / "bright-minds-en.yaml"
    path.write_text(TUTORING_EN, encoding="utf-8")
    out = _chat(
        cli,
        str(path),
        ["I'd like to book a lesson", "essay coaching", "Ms. Ortiz please", "Saturday at 10 am",
         "my name is Ann Lee", "yes", "no"],
    )  # fmt: skip
    assert out[0] == "agent> Hello, Bright Minds Tutoring, this is Sam. How can I help?"
    assert (
        "agent> A essay coaching with Ms. Ortiz on Saturday, November 28th at 10 am for Ann Lee. "
        "Shall I book it?" in out
    )
    assert out[-1] == "[call ended: completed]"
    (booking,) = _bookings(cli)
    assert booking["start"] == "2026-11-28T10:00:00"
    assert (booking["service"], booking["provider"], booking["venue"]) == (
        "essay",
        "ms_ortiz",
        "bright-minds",
    )
    # Mr. Chen is off on Fridays: the file's data says so, no code does
    off = _chat(cli, str(path), ["I'd like to book a lesson", "maths", "Mr. Chen", "Friday"])
    assert any("Mr. Chen" in line and "Friday" in line for line in off[-2:]), off
    assert len(_bookings(cli)) == 1


@pytest.mark.parametrize(
    ("language", "lines", "readback", "stored"),
    [
        (
            "ko",
            [
                "예약하고 싶어요",
                "기본 상담이요",
                "김 선생님으로 해 주세요",
                "금요일 오후 3시요",
                "홍길동입니다",
                "네",
                "아니요",
            ],  # fmt: skip
            "11월 27일 금요일 오후 3시, 김 선생님 기본 상담, 홍길동 님",
            ("2026-11-27T15:00:00", "basic", "staff_1", "홍길동"),
        ),
        (
            "en",
            [
                "I'd like to make an appointment",
                "an extended session",
                "Mr. Park please",
                "Friday at 2 pm",
                "my name is John Smith",
                "yes",
                "no",
            ],  # fmt: skip
            "extended session with Mr. Park on Friday, November 27th at 2 pm, under John Smith",
            ("2026-11-27T14:00:00", "long", "staff_2", "John Smith"),
        ),
    ],
)
def test_the_booking_starter_books_as_shipped(
    cli: Run,
    tmp_path: Path,
    language: str,
    lines: list[str],
    readback: str,
    stored: tuple[str, str, str, str],
) -> None:
    target = tmp_path / f"my-shop-{language}.yaml"
    made = cli(
        "scenario", "new", f"my-shop-{language}", "--from", "booking", "--language", language,
        "--out", str(target),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert f"wrote {target}" in made.stdout
    sc = load_scenario(target)
    assert (sc.id, sc.language) == (f"my-shop-{language}", language)
    assert sc.booking is not None and sc.booking.id == "my-shop"
    out = _chat(cli, str(target), lines)
    assert any(readback in line for line in out), out
    assert out[-1] == "[call ended: completed]"
    (booking,) = _bookings(cli)
    assert (booking["start"], booking["service"], booking["provider"], booking["name"]) == stored
    assert booking["venue"] == "my-shop"


def test_scenario_new_refuses_a_bad_id_an_unknown_starter_and_overwriting(
    cli: Run, tmp_path: Path
) -> None:
    bad = cli("scenario", "new", "My Shop", "--out", str(tmp_path / "x.yaml"))
    assert bad.returncode == 2 and "scenario id 'My Shop'" in bad.stderr
    unknown = cli("scenario", "new", "shop-ko", "--from", "bakery")
    assert (
        unknown.returncode == 2
        and "no starter 'bakery'; have: booking, carecall, survey" in unknown.stderr
    )
    first = cli("scenario", "new", "shop-ko")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "shop-ko.yaml").is_file()  # default: ./ID.yaml
    again = cli("scenario", "new", "shop-ko")
    assert again.returncode == 2 and "exists" in again.stderr
    listed = cli("scenario", "starters")
    assert listed.returncode == 0 and listed.stdout.split() == [
        *("booking", "ko,", "en"),
        *("carecall", "ko,", "en"),
        *("survey", "ko,", "en"),
    ]
