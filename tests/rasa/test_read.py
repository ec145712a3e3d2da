from __future__ import annotations

from pathlib import Path

import pytest

from nlu.rasa_format import RasaFormatError, parse_rasa_example, read_rasa_nlu


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "nlu.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_inline_entity_forms() -> None:
    text, ents = parse_rasa_example(
        'fly from [boston](fromloc.city_name) to [NYC]{"entity": "toloc.city_name", "value": "new york"} '
        "on [monday](day:mon)"
    )
    assert text == "fly from boston to NYC on monday"
    assert [(text[e.start : e.end], e.entity, e.value) for e in ents] == [
        ("boston", "fromloc.city_name", None),
        ("NYC", "toloc.city_name", "new york"),
        ("monday", "day", "mon"),
    ]


def test_reads_synonyms_lookups_regexes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'version: "3.1"\nnlu:\n- intent: a\n  examples: |\n    - x [NYC]{"entity": "city", "value": "new york"}\n'
        "- intent: b\n  examples: |\n    - y\n- synonym: new york\n  examples: |\n    - big apple\n"
        "- lookup: city\n  examples: |\n    - boston\n- regex: zip\n  examples: |\n    - \\d{5}\n",
    )
    data = read_rasa_nlu(path)
    assert data.intents == ["a", "b"]
    assert data.synonyms == {"big apple": "new york", "nyc": "new york"}
    assert data.lookups == {"city": ["boston"]}
    assert data.regexes == {"zip": ["\\d{5}"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nlu: [unclosed", "invalid YAML"),
        ("version: '3.1'\nfoo: 1\n", "top-level 'nlu' list"),
        ('version: "2.0"\nnlu: []\n', "unsupported Rasa training data version"),
        ("nlu:\n- intent: a\n  examples: |\n", "intent 'a': an intent needs at least one example"),
        ('nlu:\n- intent: a\n  examples: |\n    - [x]{"entity": }\n', "invalid entity JSON"),
        ("nlu:\n- intent: a\n  examples: |\n    no dash\n", "must start with '- '"),
        ("nlu:\n- regex: r\n  examples: |\n    - (\n", "regex 'r'"),
        ("nlu:\n- whatever: r\n", "none of intent"),
    ],
)
def test_errors_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RasaFormatError) as err:
        read_rasa_nlu(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_unknown_entity(tmp_path: Path) -> None:
    path = write(tmp_path, "nlu:\n- intent: a\n  examples: |\n    - go to [paris](city)\n")
    with pytest.raises(RasaFormatError, match="unknown entity 'city'"):
        read_rasa_nlu(path, known_entities=["country"])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RasaFormatError, match="cannot read"):
        read_rasa_nlu(tmp_path / "nope.yml")
