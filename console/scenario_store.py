"""An organisation's scenarios: files, ownership, versions, and the running agent.

* Files: a scenario an organisation creates or edits lives in
  ``<data_dir>/orgs/<org_slug>/scenarios/<id>.yaml``; the YAML stays the source of truth
  (``console/scenario_yaml.py`` edits it round-trip). Shipped scenarios (the package's
  ``scenarios/data``) are read-only: the first save writes the organisation's copy.
* Ownership: one row per scenario id in ``console_scenarios`` (:class:`console.models.
  ConsoleScenario`); ids are unique across organisations and shipped scenarios.
* Versions: every save stores the text it wrote with who, when and a message
  (:class:`ScenarioVersion`; the text before the first save is version 1); restoring a version
  saves its text again as a new version.
* The agent: after a save the console's runtime serves the new version
  (:func:`use_in_runtime`: the scenario is replaced in ``runtime.scenarios``; its NLU is keyed by
  the scenario's content, so the next call loads or trains the new one). Other processes read
  the organisations' folders when they start (:func:`org_scenario_dirs`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from agent.runtime import AgentRuntime
from agent.store.models import UTCDateTime, utcnow
from common.errors import InputError, ScenarioError
from console.deps import CurrentUser, audit
from console.models import ConsoleBase, ConsoleScenario, Org
from console.scenario_check import Check, check_text
from console.scenario_files import org_scenario_dir, shipped_scenario_files
from console.scenario_yaml import dump_doc, load_doc
from scenarios.loader import load_scenario
from scenarios.schema import Scenario
from scenarios.starters import new_from_starter, starter_names

__all__ = [
    "ConflictError",
    "ScenarioInfo",
    "ScenarioVersion",
    "Stored",
    "create_scenario",
    "current_scenario",
    "get_version",
    "list_scenarios",
    "list_versions",
    "read_scenario",
    "restore_version",
    "save_scenario",
    "set_template",
    "sha",
    "use_in_runtime",
]

log = logging.getLogger(__name__)

#: Starting kinds of a new scenario (each a starter in ``scenarios/starters``).
KINDS = ("booking", "carecall", "survey")


class ConflictError(InputError):
    """The scenario changed since the editor loaded it (someone else saved): reload, redo."""


class ScenarioVersion(ConsoleBase):
    """One saved text of a scenario: who saved it, when, why."""

    __tablename__ = "console_scenario_versions"
    __table_args__ = (Index("ix_console_scenario_versions_sid", "scenario_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("console_orgs.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    restored_from: Mapped[int | None] = mapped_column(Integer, nullable=True)


def sha(text: str) -> str:
    """The sha256 of a scenario's text (the editor sends it back to detect a concurrent save)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ScenarioInfo:
    """A row of the scenario list."""

    scenario_id: str
    name: str
    language: str
    kind: str
    direction: str
    shipped: bool
    owned: bool
    changed_at: datetime | None
    changed_by: str
    versions: int
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The row as JSON."""
        return {
            "id": self.scenario_id,
            "name": self.name,
            "language": self.language,
            "kind": self.kind,
            "direction": self.direction,
            "shipped": self.shipped,
            "read_only": not self.owned,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "changed_by": self.changed_by,
            "versions": self.versions,
            "error": self.error,
        }


@dataclass(frozen=True)
class Stored:
    """A scenario's current text as the editor gets it."""

    scenario_id: str
    text: str
    sha: str
    path: Path
    read_only: bool  # a shipped file: the first save writes the organisation's copy
    version: int  # the latest version's number (0: never saved in the console)


def _slug(session: Session, org_id: int) -> str:
    org = session.get(Org, org_id)
    if org is None:
        raise InputError(f"no organisation {org_id}")
    return org.slug


def _row_path(row: ConsoleScenario, data_dir: Path) -> Path | None:
    if not row.path:
        return None
    path = Path(row.path)
    return path if path.is_absolute() else data_dir / path


def _visible(session: Session, user: CurrentUser, scenario_id: str) -> ConsoleScenario | None:
    """The ownership row of a scenario the user may see (``None``: a shipped one nobody took).

    Raises:
        LookupError: unknown, or another organisation's (the routes answer 404).
    """
    row = session.get(ConsoleScenario, scenario_id)
    if row is not None:
        if row.org_id != user.org_id:
            raise LookupError(scenario_id)
        return row
    if scenario_id not in shipped_scenario_files():
        raise LookupError(scenario_id)
    return None


def read_scenario(session: Session, user: CurrentUser, data_dir: Path, scenario_id: str) -> Stored:
    """The scenario's current text.

    Raises:
        LookupError: unknown, or another organisation's (the routes answer 404).
    """
    row = _visible(session, user, scenario_id)
    path = _row_path(row, data_dir) if row is not None else None
    read_only = path is None
    if path is None:
        path = shipped_scenario_files().get(scenario_id)
        if path is None:  # owned, but its file is not one the console knows (a folder of
            raise LookupError(scenario_id)  # AICALL_SCENARIO_DIRS): edited there, not here
    text = path.read_text(encoding="utf-8")
    number = session.scalar(
        select(func.max(ScenarioVersion.number)).where(ScenarioVersion.scenario_id == scenario_id)
    )
    return Stored(scenario_id, text, sha(text), path, read_only, number or 0)


def _latest(session: Session, scenario_ids: list[str]) -> dict[str, tuple[ScenarioVersion, int]]:
    out: dict[str, tuple[ScenarioVersion, int]] = {}
    if not scenario_ids:
        return out
    rows = session.scalars(
        select(ScenarioVersion)
        .where(ScenarioVersion.scenario_id.in_(scenario_ids))
        .order_by(ScenarioVersion.scenario_id, ScenarioVersion.number)
    )
    for row in rows:
        count = out[row.scenario_id][1] + 1 if row.scenario_id in out else 1
        out[row.scenario_id] = (row, count)
    return out


def list_scenarios(session: Session, user: CurrentUser, data_dir: Path) -> list[ScenarioInfo]:
    """The organisation's scenarios, then the shipped ones nobody has taken (read-only)."""
    owned = list(
        session.scalars(select(ConsoleScenario).where(ConsoleScenario.org_id == user.org_id))
    )
    taken = set(session.scalars(select(ConsoleScenario.scenario_id)))
    shipped = shipped_scenario_files()
    entries: list[tuple[str, Path, bool, bool]] = []  # id, file, shipped, read-only
    for row in owned:
        own_file = _row_path(row, data_dir)
        path = own_file or shipped.get(row.scenario_id)
        if path is not None:
            entries.append((row.scenario_id, path, row.scenario_id in shipped, own_file is None))
    for scenario_id, path in shipped.items():
        if scenario_id not in taken:
            entries.append((scenario_id, path, True, True))
    latest = _latest(session, [e[0] for e in entries])
    out: list[ScenarioInfo] = []
    for scenario_id, path, is_shipped, read_only in entries:
        version, count = latest.get(scenario_id, (None, 0))
        name, lang, kind, direction, error = "", "", "", "", None
        try:
            sc = load_scenario(path, warnings=[])
            name, lang, kind, direction = (
                sc.persona.business,
                str(sc.language),
                sc.domain,
                str(sc.direction),
            )
        except (ScenarioError, OSError) as e:
            error = str(e)
        out.append(
            ScenarioInfo(
                scenario_id=scenario_id,
                name=name,
                language=lang,
                kind=kind,
                direction=direction,
                shipped=is_shipped,
                owned=not read_only,
                changed_at=version.created_at if version else None,
                changed_by=version.username if version else "",
                versions=count,
                error=error,
            )
        )
    out.sort(key=lambda i: (not i.owned, i.scenario_id))
    return out


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _add_version(
    session: Session,
    *,
    scenario_id: str,
    org_id: int,
    text: str,
    message: str,
    user: CurrentUser | None,
    restored_from: int | None = None,
) -> ScenarioVersion:
    number = session.scalar(
        select(func.max(ScenarioVersion.number)).where(ScenarioVersion.scenario_id == scenario_id)
    )
    row = ScenarioVersion(
        scenario_id=scenario_id,
        org_id=org_id,
        number=(number or 0) + 1,
        text=text,
        sha=sha(text),
        message=message[:500],
        user_id=user.user_id if user else None,
        username=(user.username or user.name) if user else "",
        restored_from=restored_from,
    )
    session.add(row)
    session.flush()
    return row


def create_scenario(
    session: Session,
    user: CurrentUser,
    data_dir: Path,
    *,
    kind: str,
    scenario_id: str,
    language: str,
    taken: set[str] | frozenset[str] = frozenset(),
) -> ScenarioVersion:
    """Create a scenario of the organisation from a starter (booking, care call, survey).

    Args:
        session: the request's transaction.
        user: who creates it (their organisation owns it).
        data_dir: ``AICALL_DATA_DIR``.
        kind: the starter (:data:`KINDS`, or any of ``scenarios.starters.starter_names()``).
        scenario_id: the new id (lower case, digits, ``-``, ``_``), unique across organisations.
        language: ``ko`` or ``en``.
        taken: more ids in use (the runtime's scenarios from ``AICALL_SCENARIO_DIRS``).

    Raises:
        InputError: an unknown kind or language, a malformed or taken id.
    """
    scenario_id = scenario_id.strip()
    if kind not in starter_names():
        raise InputError(f"unknown kind {kind!r}; choose one of {', '.join(starter_names())}")
    text = new_from_starter(kind, language, scenario_id)  # checks the id's format and language
    if (
        scenario_id in shipped_scenario_files()
        or scenario_id in taken
        or session.get(ConsoleScenario, scenario_id) is not None
    ):
        raise InputError(f"the id {scenario_id!r} is taken; choose another one")
    path = org_scenario_dir(data_dir, _slug(session, user.org_id)) / f"{scenario_id}.yaml"
    if path.exists():  # a file nobody owns (left by hand): not overwritten
        raise InputError(f"the id {scenario_id!r} is taken; choose another one")
    check = check_text(text, path.name)
    if not check.ok:  # a starter that does not load is a bug of the starter
        raise InputError(f"starter {kind}-{language} does not load: {check.error}")
    session.add(
        ConsoleScenario(
            scenario_id=scenario_id,
            org_id=user.org_id,
            path=str(path.relative_to(data_dir)),
            created_by=user.user_id,
        )
    )
    session.flush()  # a concurrent create of the same id fails here (primary key)
    _write(path, text)
    version = _add_version(
        session,
        scenario_id=scenario_id,
        org_id=user.org_id,
        text=text,
        message=f"created from the {kind} starter ({language})",
        user=user,
    )
    audit(session, user, "scenario.create", scenario_id, {"kind": kind, "language": language})
    return version


def save_scenario(
    session: Session,
    user: CurrentUser,
    data_dir: Path,
    scenario_id: str,
    text: str,
    *,
    message: str = "",
    base_sha: str | None = None,
    restored_from: int | None = None,
) -> tuple[ScenarioVersion, Check]:
    """Save a new text of a scenario as a new version (a shipped one: the org's copy).

    The text must load (:func:`console.scenario_check.check_text`) and keep the scenario's id.

    Args:
        session: the request's transaction.
        user: who saves.
        data_dir: ``AICALL_DATA_DIR``.
        scenario_id: the scenario.
        text: its new YAML.
        message: why (the history shows it).
        base_sha: :func:`sha` of the text the editor started from; when the file changed
            since, :class:`ConflictError`.
        restored_from: the version number this text restores (history).

    Returns:
        The new version and the loader's check (with the loaded scenario and its warnings).

    Raises:
        LookupError: unknown, or another organisation's scenario.
        ConflictError: someone saved in between.
        InputError: the text does not load, changes the id, or changes nothing.
    """
    current = read_scenario(session, user, data_dir, scenario_id)
    if base_sha and base_sha != current.sha:
        raise ConflictError(
            f"{scenario_id} was changed by someone else since you opened it "
            f"(now version {current.version}); reload it and make your change again"
        )
    text = text.replace("\r\n", "\n")
    if text == current.text:
        raise InputError("nothing changed")
    check = check_text(text, f"{scenario_id}.yaml")
    if check.scenario is None:
        raise InputError(f"the scenario does not load: {check.error}")
    if check.scenario.id != scenario_id:
        raise InputError(
            f"the id cannot change here ({scenario_id} -> {check.scenario.id}); "
            "create a new scenario instead"
        )
    path = current.path
    if current.read_only:  # the first save of a shipped scenario: the organisation's copy
        path = org_scenario_dir(data_dir, _slug(session, user.org_id)) / f"{scenario_id}.yaml"
        row = session.get(ConsoleScenario, scenario_id)
        relative = str(path.relative_to(data_dir))
        if row is None:
            session.add(
                ConsoleScenario(
                    scenario_id=scenario_id,
                    org_id=user.org_id,
                    path=relative,
                    created_by=user.user_id,
                )
            )
        else:
            row.path = relative
        session.flush()
    if current.version == 0:  # what it was before its first save in the console
        _add_version(
            session,
            scenario_id=scenario_id,
            org_id=user.org_id,
            text=current.text,
            message="shipped" if current.read_only else "before the first console save",
            user=None,
        )
    _write(path, text)
    version = _add_version(
        session,
        scenario_id=scenario_id,
        org_id=user.org_id,
        text=text,
        message=message.strip(),
        user=user,
        restored_from=restored_from,
    )
    audit(
        session,
        user,
        "scenario.restore" if restored_from else "scenario.save",
        scenario_id,
        {"version": version.number, "restored_from": restored_from, "message": message[:200]},
    )
    return version, check


def list_versions(
    session: Session, user: CurrentUser, data_dir: Path, scenario_id: str
) -> list[ScenarioVersion]:
    """The scenario's versions, newest first.

    Raises:
        LookupError: unknown, or another organisation's scenario.
    """
    _visible(session, user, scenario_id)
    return list(
        session.scalars(
            select(ScenarioVersion)
            .where(ScenarioVersion.scenario_id == scenario_id)
            .order_by(ScenarioVersion.number.desc())
        )
    )


def get_version(
    session: Session, user: CurrentUser, scenario_id: str, version_id: int
) -> ScenarioVersion:
    """One version (by its id) of one of the organisation's scenarios.

    Raises:
        LookupError: no such version of that scenario, or another organisation's.
    """
    _visible(session, user, scenario_id)
    row = session.get(ScenarioVersion, version_id)
    if row is None or row.scenario_id != scenario_id or row.org_id != user.org_id:
        raise LookupError(version_id)
    return row


def restore_version(
    session: Session, user: CurrentUser, data_dir: Path, scenario_id: str, version_id: int
) -> tuple[ScenarioVersion, Check]:
    """Save an earlier version's text again, as a new version.

    Raises:
        LookupError: no such version, or another organisation's.
        InputError: it is the current text already.
    """
    old = get_version(session, user, scenario_id, version_id)
    return save_scenario(
        session,
        user,
        data_dir,
        scenario_id,
        old.text,
        message=f"restored version {old.number}",
        restored_from=old.number,
    )


def use_in_runtime(runtime: AgentRuntime, check: Check) -> None:
    """Serve the saved version from now on in this process (the next call uses it)."""
    if check.scenario is not None:
        runtime.scenarios[check.scenario.id] = check.scenario
        log.info("scenario %s: the saved version is live", check.scenario.id)


def current_scenario(
    session: Session, user: CurrentUser, data_dir: Path, scenario_id: str
) -> Scenario:
    """The organisation's scenario as its file says now (loaded by the scenario loader).

    Raises:
        LookupError: unknown, or another organisation's.
        ScenarioError: the file does not load (not written by the console).
    """
    stored = read_scenario(session, user, data_dir, scenario_id)
    return load_scenario(stored.path, warnings=[])


def set_template(
    session: Session,
    user: CurrentUser,
    data_dir: Path,
    scenario_id: str,
    key: str,
    text: str,
    *,
    message: str = "",
) -> tuple[ScenarioVersion, Check]:
    """Set ``templates.<key>`` (added at the end when new) and save it as a new version.

    The rest of the file is kept as it is (comments and order). Call :func:`use_in_runtime`
    with the returned check after the transaction, as a save does.

    Raises:
        LookupError: unknown, or another organisation's.
        InputError: the scenario would not load, or nothing changed.
    """
    stored = read_scenario(session, user, data_dir, scenario_id)
    doc = load_doc(stored.text)
    templates = doc.get("templates")
    if templates is None:
        raise InputError(f"{scenario_id} has no templates section")
    templates[key] = text.strip()
    return save_scenario(
        session,
        user,
        data_dir,
        scenario_id,
        dump_doc(doc),
        message=message or f"template {key}",
        base_sha=stored.sha,
    )
