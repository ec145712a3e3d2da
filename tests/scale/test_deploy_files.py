"""deploy/compose.yaml says what docs/deploy.md says, with settings and commands that exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from agent.config import Settings
from cli.main import app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _known_variables() -> set[str]:
    # AICALL_CALLER_ID: the envvar of `aicall campaign create|start --caller-id`
    names = {"AICALL_CALLER_ID"}
    for name, info in Settings.model_fields.items():
        names.add(f"AICALL_{name.upper()}")
        alias = info.validation_alias
        for choice in getattr(alias, "choices", []):
            names.add(str(choice))
    return names


def test_the_topology_has_its_five_parts() -> None:
    services = _compose()["services"]
    assert set(services) == {"lb", "voice", "dispatcher", "postgres", "redis"}
    assert services["voice"]["command"][:2] == ["aicall", "serve"]
    assert services["dispatcher"]["command"][:2] == ["aicall", "worker"]


def test_every_setting_in_the_compose_file_is_a_real_one() -> None:
    services = _compose()["services"]
    known = _known_variables()
    for name in ("voice", "dispatcher"):
        env = services[name]["environment"]
        unknown = set(env) - known
        assert not unknown, f"{name}: {unknown} are not settings of agent/config.py"
        assert env["AICALL_QUEUE_URL"].startswith("redis://")
        assert env["AICALL_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "AICALL_STREAM_SECRET" in env
    assert services["voice"]["environment"]["AICALL_WEBHOOK_RATE_LIMIT"] == "0"


def test_the_commands_and_their_options_exist() -> None:
    runner = CliRunner()
    services = _compose()["services"]
    for name in ("voice", "dispatcher"):
        command = services[name]["command"][1:]
        result = runner.invoke(app, [command[0], "--help"])
        assert result.exit_code == 0, result.output
        for option in (a for a in command if a.startswith("--")):
            assert option in result.output, f"{name}: {option} is not an option of {command[0]}"


def test_the_balancer_upgrades_media_streams_and_outlasts_a_call() -> None:
    nginx = _compose()["configs"]["nginx"]["content"]
    media = nginx[nginx.index("location /twilio/media") :]
    assert "proxy_set_header Upgrade" in media
    timeout = int(re.search(r"proxy_read_timeout (\d+)s", media).group(1))  # type: ignore[union-attr]
    assert timeout > Settings(data_dir=ROOT).max_call_seconds
    assert "proxy_next_upstream error" in nginx


def test_the_example_env_file_names_every_required_secret() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text(encoding="utf-8")))
    example = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(\w+)=", example, flags=re.M))
    assert required <= listed, required - listed
