from __future__ import annotations

from pathlib import Path

import pytest

from nlu.rasa_format import export_scenario, import_rasa, read_rasa_nlu, write_scenario_skeleton
from scenarios.loader import load_scenario, shipped_scenario_paths


@pytest.mark.parametrize("path", shipped_scenario_paths(), ids=lambda p: p.stem)
def test_export_import_loses_nothing_shared(path: Path, tmp_path: Path) -> None:
    sc = load_scenario(path)
    nlu_path, domain_path = export_scenario(sc, tmp_path / "rasa")
    # the NLU file is valid Rasa NLU data for our own reader
    data = read_rasa_nlu(nlu_path, known_entities=list(sc.slots))
    assert data.intents == list(sc.intents)
    skeleton = import_rasa([nlu_path], domain_path, scenario_id=sc.id, language=sc.language)
    out = write_scenario_skeleton(skeleton, tmp_path / f"{sc.id}.yaml")
    again = load_scenario(out)
    assert again == sc


def test_import_without_domain_gives_text_slots(tmp_path: Path) -> None:
    nlu = tmp_path / "nlu.yml"
    nlu.write_text(
        'version: "3.1"\nnlu:\n- intent: fly\n  examples: |\n    - to [boston](toloc.city_name)\n'
        "- intent: bye\n  examples: |\n    - bye\n",
        encoding="utf-8",
    )
    sk = import_rasa([nlu])
    assert sk["slots"]["toloc_city_name"]["type"] == "text"
    assert sk["intents"]["fly"]["examples"] == ["to [boston](toloc_city_name)"]


def test_cli_export_import(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    res = runner.invoke(
        app, ["scenario", "export-rasa", "restaurant-ko", "--out", str(tmp_path / "r")]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        [
            "scenario", "import-rasa", "--nlu", str(tmp_path / "r" / "nlu.yml"),
            "--domain", str(tmp_path / "r" / "domain.yml"), "--out", str(tmp_path / "s.yaml"),
            "--id", "restaurant-ko", "--language", "ko",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert load_scenario(tmp_path / "s.yaml") == load_scenario(
        next(p for p in shipped_scenario_paths() if p.stem == "restaurant-ko")
    )
