from __future__ import annotations

from pathlib import Path

import pytest

from nlu.rasa_format import read_rasa_nlu
from nlu.training import TrainingData

NLU_YAML = """\
version: "3.1"
nlu:
- intent: order_pizza
  examples: |
    - i want a [large](size) [pepperoni](topping) pizza
    - get me a [small](size) pizza with [mushrooms](topping)
    - one [medium](size) [margherita](topping) please
    - can i order a [pepperoni](topping) pizza
    - i would like a [large](size) pizza
    - order a [small](size) [veggie]{"entity": "topping", "value": "vegetable"} pizza
    - a [medium](size) pizza with [olives](topping) please
    - i'd like to order a pizza
- intent: check_hours
  examples: |
    - when are you open
    - what are your opening hours
    - are you open on sunday
    - what time do you close
    - until when are you open tonight
    - are you open now
- intent: greet
  examples: |
    - hello
    - hi there
    - good morning
    - hey
    - good evening
- synonym: vegetable
  examples: |
    - veg
- lookup: topping
  examples: |
    - pepperoni
    - mushrooms
    - olives
    - ham
- regex: size
  examples: |
    - \\b(small|medium|large)\\b
"""


@pytest.fixture(scope="session")
def nlu_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "nlu.yml"
    path.write_text(NLU_YAML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pizza_data(nlu_file: Path) -> TrainingData:
    return read_rasa_nlu(nlu_file)


@pytest.fixture(scope="session")
def classical_pizza(pizza_data: TrainingData):
    from nlu.classical import ClassicalEngine

    return ClassicalEngine().train(pizza_data)


@pytest.fixture(scope="session")
def joint_pizza(pizza_data: TrainingData):
    from nlu.joint import JointEngine

    return JointEngine(epochs=40, hidden=32, threads=1, lr=5e-3).train(pizza_data)


@pytest.fixture(scope="session")
def encoder_pizza(pizza_data: TrainingData):
    from nlu.encoder import EncoderEngine

    return EncoderEngine(epochs=15, threads=2).train(pizza_data)
