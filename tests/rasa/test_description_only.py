"""Rasa export of a scenario with a described intent that has no examples yet."""

from __future__ import annotations

from pathlib import Path

from nlu.rasa_format import export_scenario, import_rasa
from scenarios.loader import load_scenario
from scenarios.schema import Intent

CLINIC = Path(__file__).parents[1] / "scenarios" / "data" / "clinic-en.yaml"


def test_the_nlu_file_leaves_it_out_and_the_domain_keeps_it(tmp_path: Path) -> None:
    sc = load_scenario(CLINIC)
    described = Intent(description="The caller asks whether their insurance is accepted.")
    sc = sc.model_copy(update={"intents": {**sc.intents, "faq_insurance": described}})
    nlu, domain = export_scenario(sc, tmp_path)
    assert "faq_insurance" not in nlu.read_text(encoding="utf-8")  # no empty examples block

    back = import_rasa([nlu], domain, scenario_id="clinic-en", language="en")
    assert back["intents"]["faq_insurance"] == {
        "description": described.description,
        "examples": [],
    }
