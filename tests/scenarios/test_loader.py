"""Scenario files: every shipped one loads; each kind of mistake names the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ScenarioError
from scenarios.loader import SHIPPED_DIR, load_scenario, load_scenarios, shipped_scenario_paths
from scenarios.schema import Scenario

RESTAURANT_KO = SHIPPED_DIR / "restaurant-ko.yaml"
CARECALL_EN = SHIPPED_DIR / "carecall-en.yaml"


def test_every_shipped_scenario_loads() -> None:
    ids = {load_scenario(p).id for p in shipped_scenario_paths()}
    assert ids == {
        "restaurant-ko", "restaurant-en", "carecall-ko", "carecall-en",
        "clinic-ko", "clinic-en", "salon-ko", "salon-en",
    }  # fmt: skip


@pytest.mark.parametrize(
    "pair",
    [
        ("restaurant-ko", "restaurant-en"),
        ("carecall-ko", "carecall-en"),
        ("clinic-ko", "clinic-en"),
        ("salon-ko", "salon-en"),
    ],
)
def test_the_two_languages_of_a_scenario_match(pair: tuple[str, str]) -> None:
    scenarios = load_scenarios()
    ko, en = (scenarios[i] for i in pair)
    assert (ko.language, en.language) == ("ko", "en")
    assert ko.slots.keys() == en.slots.keys()
    assert ko.intents.keys() == en.intents.keys()
    assert ko.tasks == en.tasks
    assert ko.templates.keys() == en.templates.keys()
    assert ko.faq.keys() == en.faq.keys()
    assert ko.globals.max_reprompts == en.globals.max_reprompts
    assert ko.flags == en.flags
    for name, slot in ko.slots.items():
        assert slot.values.keys() == en.slots[name].values.keys(), name
    if ko.venue is not None:
        assert ko.venue == en.venue  # one venue, shared bookings
    if ko.booking is not None and en.booking is not None:
        # one business, shared bookings: the same diary; only what is said differs
        spoken = {"label", "synonyms"}
        a, b = ko.booking, en.booking
        said = {"resources", "services", "kinds"}
        assert a.model_dump(exclude=said) == b.model_dump(exclude=said)
        assert a.resources.keys() == b.resources.keys() and a.services.keys() == b.services.keys()
        for key, r in a.resources.items():
            assert r.model_dump(exclude=spoken) == b.resources[key].model_dump(exclude=spoken)
        for key, s in a.services.items():
            assert s.model_dump(exclude=spoken) == b.services[key].model_dump(exclude=spoken)
    else:
        assert ko.booking is None and en.booking is None


def _broken(tmp_path: Path, old: str, new: str, *, base: Path = RESTAURANT_KO) -> tuple[Path, str]:
    """A copy of ``base`` with ``old`` replaced by ``new``; returns the file and its text."""
    text = base.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {base.name}"
    path = tmp_path / base.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, path.read_text(encoding="utf-8")


def _line(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the file")


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.file == str(path)
    where = str(path) if err.line is None else f"{path}:{err.line}"
    assert str(err).startswith(f"{where}: ")
    return err


# (what is wrong, text replaced, its replacement, the line the error points at, field, message)
CASES = [
    (
        "unknown field",
        "  honorific: polite\n",
        "  honorific: polite\n  colour: blue\n",
        "colour: blue",
        "persona.colour",
        "unknown field",
    ),
    (
        "missing field",
        "  date: {type: date, prompt: ask_date}\n",
        "  date: {type: date}\n",
        "date: {type: date}",
        "slots.date.prompt",
        "required field is missing",
    ),
    (
        "wrong type",
        "  max_party: 12\n",
        "  max_party: many\n",
        "max_party: many",
        "venue.max_party",
        "valid integer",
    ),
    (
        "unknown slot type",
        "  time: {type: time, prompt: ask_time}\n",
        "  time: {type: clock, prompt: ask_time}\n",
        "type: clock",
        "slots.time.type",
        "'date', 'time'",
    ),
    (
        "unknown slot in a task",
        "    slots: [date, time, party_size, seating, name, phone]\n",
        "    slots: [date, time, party_size, seating, name, phone, guests]\n",
        "guests]",
        "tasks.book.slots.6",
        "unknown slot 'guests'",
    ),
    (
        "unknown annotation slot",
        '      - "[내일](date)이요"\n',
        '      - "[내일](day)이요"\n',
        "[내일](day)이요",
        "intents.inform.examples.0",
        "unknown slot 'day' in annotation",
    ),
    (
        "unknown annotation value",
        '      - "[홀](seating:hall)로 해 주세요"\n',
        '      - "[홀](seating:bar)로 해 주세요"\n',
        "seating:bar",
        "intents.inform.examples.3",
        "unknown value 'bar' of 'seating'",
    ),
    (
        "missing template",
        "  bye: 전화 주셔서 감사합니다. 좋은 하루 보내세요.\n",
        "",
        "templates:",
        "templates",
        "missing template 'bye'",
    ),
    (
        "prompt without its template",
        "  ask_name: 예약자 성함을 말씀해 주세요.\n",
        "",
        "name: {type: name, prompt: ask_name}",
        "slots.name.prompt",
        "no template 'ask_name'",
    ),
    (
        "bad time format",
        '  hours: {open: "11:00", close: "22:00", last_booking: "20:30"}\n',
        '  hours: {open: "11시", close: "22:00", last_booking: "20:30"}\n',
        'open: "11시"',
        "venue.hours.open",
        "expected a time as HH:MM, got '11시'",
    ),
    (
        "closing before opening",
        '  hours: {open: "11:00", close: "22:00", last_booking: "20:30"}\n',
        '  hours: {open: "11:00", close: "10:00", last_booking: "20:30"}\n',
        'close: "10:00"',
        "venue.hours",
        "'close' must be after 'open'",
    ),
    (
        "unknown closed day",
        "  closed_days: [monday]\n",
        "  closed_days: [mondays]\n",
        "closed_days: [mondays]",
        "venue.closed_days",
        "unknown weekday 'mondays'",
    ),
    (
        "hand-over fallback without a number",
        '  handover_number: "+8225550100"\n',
        "",
        "globals:",
        "globals",
        "fallback 'handover' needs 'handover_number'",
    ),
    (
        "task of an unknown intent",
        "    intent: cancel_booking\n",
        "    intent: cancel\n",
        "intent: cancel",
        "tasks.cancel.intent",
        "unknown intent 'cancel'",
    ),
    (
        "faq answer without an intent",
        '  faq_corkage: "{facts.corkage}"\n',
        '  faq_corkage: "{facts.corkage}"\n  faq_pets: 반려동물은 안 됩니다.\n',
        "faq_pets:",
        "faq.faq_pets",
        "no intent 'faq_pets'",
    ),
    (
        "seating the venue does not have",
        "      outdoor: {label: 야외, synonyms: [밖, 야외, 테라스, 바깥]}\n",
        "      outdoor: {label: 야외, synonyms: [밖, 야외, 테라스, 바깥]}\n      bar: {label: 바, synonyms: [바석]}\n",
        "bar: {label: 바",
        "slots.seating.values.bar",
        "no venue seating 'bar'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "at", "field", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_mistake_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, at: str, field: str, message: str
) -> None:
    path, text = _broken(tmp_path, old, new)
    err = _error(path)
    assert err.line == _line(text, at), str(err)
    assert err.field == field, str(err)
    assert message in err.message, str(err)
    assert str(err) == f"{path}:{err.line}: {field}: {err.message}"


def test_a_missing_top_level_field_points_at_the_top(tmp_path: Path) -> None:
    path, text = _broken(tmp_path, "direction: inbound\n", "")
    err = _error(path)
    assert (err.field, err.message) == ("direction", "required field is missing")
    assert err.line == _line(text, "id: restaurant-ko")


def test_a_flag_rule_on_an_unknown_value(tmp_path: Path) -> None:
    path, text = _broken(
        tmp_path,
        "  - {reason: not_eating, slot: meal, values: [skipped]}\n",
        "  - {reason: not_eating, slot: meal, values: [starving]}\n",
        base=CARECALL_EN,
    )
    err = _error(path)
    assert (err.field, err.line) == ("flags.1.values", _line(text, "starving"))
    assert "unknown value 'starving' of 'meal'" in err.message


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path, text = _broken(
        tmp_path, "  business: 한강식당\n", "  business: 한강식당\n   tone: warm\n"
    )
    err = _error(path)
    assert err.line == _line(text, "   tone: warm") and err.field is None
    assert err.message.startswith("invalid YAML: mapping values are not allowed here")


def test_an_unclosed_bracket_says_where_it_was_opened(tmp_path: Path) -> None:
    path, text = _broken(tmp_path, "  name: 지수\n", "  name: [지수\n")
    err = _error(path)
    assert err.message.startswith("invalid YAML")
    assert f"started on line {_line(text, '[지수')}" in err.message


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- one\n- two\n", encoding="utf-8")
    err = _error(path)
    assert err.line == 1 and "mapping" in err.message


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "euckr.yaml"
    path.write_bytes("id: 한강\n".encode("euc-kr"))
    assert _error(path).message == "not UTF-8 text"


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    err = _error(path)
    assert err.line is None and "cannot read" in err.message


def test_load_scenarios_adds_a_directory_and_later_ids_win(tmp_path: Path) -> None:
    path, _ = _broken(tmp_path, "  name: 지수\n", "  name: 민지\n")
    scenarios = load_scenarios([tmp_path])
    assert isinstance(scenarios["restaurant-ko"], Scenario)
    assert scenarios["restaurant-ko"].persona.name == "민지"
    assert scenarios["restaurant-en"].persona.name == "Jisoo"


def test_load_scenarios_fails_on_a_broken_extra_file(tmp_path: Path) -> None:
    _broken(tmp_path, "  max_party: 12\n", "  max_party: many\n")
    with pytest.raises(ScenarioError, match="venue.max_party"):
        load_scenarios([tmp_path])
