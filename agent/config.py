"""Settings read from the environment at the edge (CLI, server) and passed inward."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.pii import register_secrets
from nlu.config import DEFAULT_ENGINE, NLUBackend, NLUSettings

__all__ = ["Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """Where the embedded defaults keep their files (SQLite database, caches)."""
    return Path.cwd() / ".aicall"


class Settings(BaseSettings):
    """All process-wide settings.

    Twilio's own variable names are used for Twilio credentials; everything else is
    ``AICALL_*``.
    """

    model_config = SettingsConfigDict(env_prefix="AICALL_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    scenario_dirs: list[Path] = Field(default_factory=list)
    public_url: str | None = None
    twilio_account_sid: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_ACCOUNT_SID")
    )
    twilio_auth_token: str | None = Field(
        default=None, validation_alias=AliasChoices("TWILIO_AUTH_TOKEN")
    )
    timezone: str = "Asia/Seoul"
    # Voice calls (agent/voice, agent/server).
    asr_model: str = "base"  # "base", "tiny.en" or a faster-whisper model directory
    asr_model_en: str | None = None  # another model for English calls, e.g. "tiny.en"
    asr_threads: int = 2
    # Languages whose speech the base model decodes on a window cut to the utterance instead
    # of a 30 s window (docs/voice.md, "Speech recognition"); [] for the stock window everywhere.
    asr_window_languages: list[str] = Field(default_factory=lambda: ["en", "ko"])
    # Languages whose cut-window transcripts are checked (runaway repetition, a second reading,
    # a hallucinated tail) and decoded again on the 30 s window when they look wrong: Korean,
    # measured on real speech (docs/voice.md, "Korean on real speech").
    asr_checked_languages: list[str] = Field(default_factory=lambda: ["ko"])
    # End of the caller's turn: "dialogue" judges the speculative transcript with the NLU in the
    # dialogue's context (answer at once when it completes what was asked, wait longer when it
    # is unfinished); "silence" waits a fixed silence per expected input. "dialogue" is the
    # default: 0 premature replies in the endpointing bench against 54 for "silence" (a
    # transcript garbled on the softphone's path in both modes was the page's resampling, fixed;
    # docs/voice.md).
    endpointing: Literal["dialogue", "silence"] = "dialogue"
    # A coqui-tts model directory per language replaces Piper / espeak-ng for that language
    # (the optional `coqui` extra; docs/voice.md, "coqui-tts").
    tts_coqui_model_en: Path | None = None
    tts_coqui_model_ko: Path | None = None
    max_call_seconds: float = 600.0
    silence_reprompt_seconds: float = 7.0  # caller silence before the dialogue's re-prompt
    record_calls: bool = False  # one WAV per call under data_dir/recordings
    # the server logs one warning each time its event loop is blocked longer (0: no watchdog)
    loop_watchdog_seconds: float = 0.5
    default_scenario: str = "restaurant-ko"
    # Scenarios whose NLU `aicall serve` prepares before it answers (unset: all); a server of
    # care calls only starts faster with ["carecall-ko", "carecall-en"].
    warm_scenarios: list[str] | None = None
    number_scenarios: dict[str, str] = Field(default_factory=dict)  # called number -> scenario
    stream_token_ttl: float = 60.0  # seconds a TwiML stream token stays valid
    # The key that signs stream tokens: the same in every `aicall serve` behind one balancer
    # (docs/deploy.md); unset, a key derived from TWILIO_AUTH_TOKEN (shared by them anyway).
    stream_secret: str | None = None
    # Replies (nlg/rewrite, docs/replies.md): "template" or "llm" (LLM wording, checked,
    # the template when a check fails or the LLM is late).
    replies: Literal["template", "llm"] = "template"
    llm: Literal["local", "openai"] = "local"  # the bundled model, or an OpenAI-compatible URL
    llm_url: str | None = None  # e.g. http://127.0.0.1:8080/v1
    llm_model: str | None = None  # the model name the endpoint expects
    llm_api_key: str | None = None
    llm_model_path: str | None = None  # a GGUF file instead of the bundled model
    llm_threads: int | None = None  # llama.cpp threads (default: llama.cpp's own)
    # LoRA adapter on the local model, for replies and `aicall scenario augment`: "bundled"
    # (the shipped tuned generator; only on the bundled model), "none" or a .gguf path.
    llm_adapter: str = "bundled"
    llm_first_token_ms: float = 300.0  # no first token by then: the template
    llm_reply_ms: float = 3000.0  # no whole reply by then: the template
    softphone: bool = False  # serve the browser softphone page (anyone reaching it can call)
    # The softphone's login: required from any address but loopback (docs/voice.md).
    softphone_token: str | None = None
    # Limits (docs/voice.md, "Limits"): calls at once in this process (beyond: a "busy"
    # answer), and webhook requests per minute from one source address (0: no limit).
    max_calls: int = 20
    webhook_rate_limit: int = 120
    log_format: Literal["text", "json"] = "text"  # the server's log lines (common/logs.py)
    # Campaigns (agent/campaigns, docs/campaigns.md): the job queue of the dispatchers
    # (unset: an embedded SQLite queue in data_dir; redis://host:6379/0 at scale), the base
    # URL of Twilio's REST API (a stand-in on loopback in tests), and the campaigns' clock
    # ("system", "file:/path" holding an ISO instant, "fixed:ISO").
    queue_url: str | None = None
    twilio_api_url: str | None = None
    clock: str = "system"
    # Understanding (nlu/config.py, docs/nlu.md): which parser calls use.
    nlu_backend: NLUBackend = "scenario"
    nlu_engine: str = DEFAULT_ENGINE  # for the "scenario" backend; "" = the first version
    nlu_model_dir: Path | None = None
    nlu_rasa_url: str | None = None
    nlu_rasa_token: str | None = None
    nlu_rasa_timeout: float = 3.0
    # The operator console (console/, docs/console.md): the first admin's password on a first
    # start with no users (unset: a random one, printed once and written to
    # data_dir/console-admin.txt).
    console_admin_password: str | None = None

    @property
    def nlu(self) -> NLUSettings:
        """The NLU part of the settings, for :func:`nlu.config.make_parser`."""
        return NLUSettings(
            backend=self.nlu_backend,
            engine=self.nlu_engine,
            model_dir=self.nlu_model_dir,
            rasa_url=self.nlu_rasa_url,
            rasa_token=self.nlu_rasa_token,
            rasa_timeout=self.nlu_rasa_timeout,
        )

    def secret_values(self) -> tuple[str, ...]:
        """The configured secrets: tokens, the API key, passwords inside the URLs."""
        values = [
            self.twilio_auth_token,
            self.llm_api_key,
            self.softphone_token,
            self.nlu_rasa_token,
            self.stream_secret,
            self.console_admin_password,
        ]
        for url in (
            self.database_url,
            self.llm_url,
            self.nlu_rasa_url,
            self.public_url,
            self.queue_url,
        ):
            try:
                values.append(urlsplit(url).password if url else None)
            except ValueError:  # not a URL: nothing inside it to hide
                continue
        return tuple(v for v in values if v)

    def model_post_init(self, context: Any, /) -> None:
        """Register the secrets with :func:`common.pii.register_secrets`.

        From then on no log line (every handler has :class:`common.pii.RedactingFilter`) and no
        error message the CLI prints shows them (docs/privacy.md).
        """
        register_secrets(*self.secret_values())

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'aicall.db'}"
