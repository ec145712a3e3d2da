"""A scenario whose persona or facts are malformed is refused at load, naming what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.errors import ScenarioError
from scenarios.loader import SHIPPED_DIR, load_scenario

SOURCE = (SHIPPED_DIR / "restaurant-ko.yaml").read_text(encoding="utf-8")

CASES = [
    ("empty name", "  name: 지수\n", '  name: ""\n', "persona.name", "must not be empty"),
    ("blank business", "  business: 한강식당\n", '  business: "  "\n', "persona.business", "empty"),
    ("placeholder as a name", "  name: 지수\n", '  name: "{name}"\n', "persona.name", "plain text"),
    ("unknown honorific", "  honorific: polite\n", "  honorific: 반말\n", "persona.honorific", ""),
    ("tone as a list", "  tone: friendly\n", "  tone: [friendly, warm]\n", "persona.tone", ""),
    ("persona missing", "persona:\n  name: 지수\n", "persona_:\n  name: 지수\n", "", ""),
    (
        "facts as a list",
        "facts:\n  hours:",
        "facts:\n  - hours\nfacts_old:\n  hours:",
        "facts",
        "",
    ),
    (
        "empty fact",
        "  solo: 네, 혼자 오셔도 괜찮습니다. 홀 좌석으로 편하게 모시겠습니다.\n",
        '  solo: ""\n',
        "facts",
        "fact 'solo' is empty",
    ),
    (
        "fact that is not text",
        "  solo: 네, 혼자 오셔도 괜찮습니다. 홀 좌석으로 편하게 모시겠습니다.\n",
        "  solo: {ok: true}\n",
        "facts.solo",
        "",
    ),
    (
        "fact with a placeholder",
        "  solo: 네, 혼자 오셔도 괜찮습니다. 홀 좌석으로 편하게 모시겠습니다.\n",
        "  solo: 네, {persona.name}가 안내합니다.\n",
        "facts",
        "plain text",
    ),
    (
        "fact name not in snake case",
        "  large_group:",
        "  Large Group:",
        "facts",
        "lower_snake_case",
    ),
    (
        "template naming a missing fact",
        '  faq_corkage: "{facts.corkage}"\n',
        '  faq_corkage: "{facts.wine}"\n',
        "",
        "no facts field 'wine'",
    ),
    (
        "template naming a missing persona field",
        "  greet: 안녕하세요, {persona.business} {persona.name}입니다.",
        "  greet: 안녕하세요, {persona.shop} {persona.name}입니다.",
        "",
        "no persona field 'shop'",
    ),
]


@pytest.mark.parametrize(
    ("what", "old", "new", "field", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_malformed_persona_or_facts_fail_at_load(
    tmp_path: Path, what: str, old: str, new: str, field: str, message: str
) -> None:
    assert old in SOURCE, what
    path = tmp_path / "restaurant-ko.yaml"
    path.write_text(SOURCE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert field in text and message in text, text


def test_the_shipped_scenarios_are_well_formed() -> None:
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        sc = load_scenario(path)
        assert sc.persona.name and sc.persona.business and sc.facts
