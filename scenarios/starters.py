"""Starter scenario files: a new business begins as a copy of one (``aicall scenario new``).

A starter (``scenarios/starters/<name>-<language>.yaml``) is a complete scenario with
placeholders an operator replaces (the business name, its resources and services); it loads and
books as shipped. :func:`new_from_starter` copies one with the new scenario id (and business id)
written in, keeping the file's comments, which say what to change.
"""

from __future__ import annotations

import re
from pathlib import Path

from common.errors import InputError

__all__ = ["STARTERS_DIR", "new_from_starter", "starter_names", "starter_path"]

STARTERS_DIR = Path(__file__).parent / "starters"

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SCENARIO_ID_LINE = re.compile(r"^id: *\S+", re.MULTILINE)
_BUSINESS_ID_LINE = re.compile(
    r"^(booking:\n(?:[ \t]*#.*\n|[ \t]*\n)*[ \t]+id: *)\S+", re.MULTILINE
)


def starter_names() -> list[str]:
    """The starters that ship, as ``name`` (each in Korean and English: ``name-ko``, ``name-en``)."""
    return sorted({p.stem.rsplit("-", 1)[0] for p in STARTERS_DIR.glob("*-*.yaml")})


def starter_path(name: str, language: str) -> Path:
    """The file of starter ``name`` in ``language`` (``ko`` or ``en``).

    Raises:
        InputError: no such starter or language.
    """
    if language not in ("ko", "en"):
        raise InputError(f"--language: use ko or en, not {language!r}")
    path = STARTERS_DIR / f"{name}-{language}.yaml"
    if not path.is_file():
        raise InputError(f"no starter {name!r}; have: {', '.join(starter_names()) or 'none'}")
    return path


def new_from_starter(
    name: str, language: str, scenario_id: str, business_id: str | None = None
) -> str:
    """The text of a new scenario file: starter ``name`` with ``scenario_id`` written in.

    Args:
        name: the starter (``booking``).
        language: ``ko`` or ``en``.
        scenario_id: the new scenario's id (lower case, digits, ``-`` and ``_``).
        business_id: the ``booking.id`` (scenarios of one business in two languages share it,
            and so share bookings); default: ``scenario_id`` without a ``-ko``/``-en`` ending.

    Raises:
        InputError: an unknown starter or language, or an id the format does not allow.
    """
    if not _ID.match(scenario_id):
        raise InputError(
            f"scenario id {scenario_id!r}: use lower-case letters, digits, '-' and '_' "
            "(starting with a letter or digit)"
        )
    text = starter_path(name, language).read_text(encoding="utf-8")
    if business_id is None:
        business_id = re.sub(r"-(ko|en)$", "", scenario_id)
    if not _ID.match(business_id):
        raise InputError(f"business id {business_id!r}: use lower-case letters, digits, '-', '_'")
    text = _SCENARIO_ID_LINE.sub(f"id: {scenario_id}", text, count=1)
    return _BUSINESS_ID_LINE.sub(lambda m: m.group(1) + business_id, text, count=1)
