"""The console's UI text in Korean and English: ``t(key, lang)``.

Each area keeps its messages in a module of this package (``console/i18n/<area>.py``) as::

    MESSAGES = {"calls.title": {"en": "Calls", "ko": "통화"}, ...}

Every module here is merged at first use (a key defined twice is an error, so areas prefix
their keys: ``core.``, ``scenarios.``, ``authoring.``, ``calls.``, ``results.``,
``campaigns.``). Templates call ``t("key")`` (the page's language is bound in) and may pass
``str.format`` fields: ``t("core.hello", name=user.name)``.

The language of a request: the user's own setting, else ``?lang=``, else the ``aicall_lang``
cookie (the language switch sets it), else the browser's ``Accept-Language``, else Korean.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from starlette.requests import Request

__all__ = ["DEFAULT_LANG", "LANG_COOKIE", "LANGS", "messages", "request_lang", "t"]

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"
LANG_COOKIE = "aicall_lang"


@cache
def messages() -> dict[str, dict[str, str]]:
    """Every area's messages merged (key -> {"en": ..., "ko": ...}).

    Raises:
        ValueError: two areas define the same key.
    """
    merged: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise ValueError(f"console i18n: {key!r} is defined twice (in {info.name})")
            merged[key] = texts
    return merged


def t(key: str, lang: str, **fields: Any) -> str:
    """The text of ``key`` in ``lang`` (English when that language lacks it; the key if unknown)."""
    texts = messages().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get("en") or key
    return text.format(**fields) if fields else text


def _pick(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower()[:2]
    return value if value in LANGS else None


def request_lang(request: Request, user_lang: str | None = None) -> str:
    """The language of this request's pages ("ko" or "en")."""
    chosen = _pick(user_lang) or _pick(request.query_params.get("lang"))
    chosen = chosen or _pick(request.cookies.get(LANG_COOKIE))
    if chosen:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        found = _pick(part.split(";")[0])
        if found:
            return found
    return DEFAULT_LANG
