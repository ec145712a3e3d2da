"""Supply-chain and code checks of ``make test``: bandit and a dependency vulnerability audit.

Usage (from the repository root)::

    python security/check.py bandit            # bandit on the project's packages
    python security/check.py audit             # pip-audit on requirements.lock
    python security/check.py audit --require-complete   # ... and fail if anything went unchecked

Every finding is either fixed or listed in ``security/allowlist.toml`` with a reason; a finding
not listed fails the check, and so does a listed entry without a reason or one that no longer
matches anything (the list stays reviewed).

The audit asks PyPI's vulnerability data (pip-audit's ``pypi`` service: the per-release JSON
API). Where that API cannot be reached (a network that passes only the package index), a package
whose locked version is PyPI's latest release is checked against the project-level JSON API
instead (its ``vulnerabilities`` are those of the latest release); every other package is listed
as NOT CHECKED with the reason, never counted as clean. ``--require-complete`` (``make audit``)
then fails; ``make test`` reports it and goes on.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "security" / "allowlist.toml"
LOCK = ROOT / "requirements.lock"
PACKAGES = [
    "common",
    "scenarios",
    "nlu",
    "dialogue",
    "nlg",
    "telephony",
    "agent",
    "authoring",
    "console",
    "cli",
]
BIN = Path(sys.executable).parent


@dataclass
class Allowed:
    """The reviewed allow-list: bandit tests (optionally per path) and vulnerability ids."""

    bandit: list[dict[str, str]] = field(default_factory=list)
    vulnerabilities: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path = ALLOWLIST) -> Allowed:
        """Read the allow-list; an entry without a reason stops the check."""
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        allowed = cls(data.get("bandit", []), data.get("vulnerability", []))
        for entry in allowed.bandit + allowed.vulnerabilities:
            if not str(entry.get("reason", "")).strip():
                raise SystemExit(f"{path.name}: entry {entry} has no reason")
        return allowed


def _bandit_allowed(allowed: Allowed, finding: dict) -> dict[str, str] | None:
    for entry in allowed.bandit:
        if entry["test"] != finding["test_id"]:
            continue
        if fnmatch.fnmatch(finding["filename"], entry.get("path", "*")):
            return entry
    return None


def bandit(allowed: Allowed) -> int:
    """Run bandit; findings not allow-listed fail."""
    result = subprocess.run(
        [str(BIN / "bandit"), "-r", *PACKAGES, "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"bandit did not run:\n{result.stdout}\n{result.stderr}")
        return 1
    if report.get("errors"):
        print(f"bandit could not read: {report['errors']}")
        return 1
    findings = report["results"]
    open_findings, used = [], set()
    for f in findings:
        entry = _bandit_allowed(allowed, f)
        if entry is None:
            open_findings.append(f)
        else:
            used.add(id(entry))
    stale = [e for e in allowed.bandit if id(e) not in used]
    scanned = report["metrics"]["_totals"]["loc"]
    print(
        f"bandit: {scanned} lines in {', '.join(PACKAGES)}: {len(findings)} findings, "
        f"{len(findings) - len(open_findings)} allow-listed, {len(open_findings)} open"
    )
    for f in open_findings:
        print(
            f"  {f['test_id']} {f['issue_severity']}/{f['issue_confidence']} "
            f"{f['filename']}:{f['line_number']}: {f['issue_text']}"
        )
    for e in stale:
        print(f"  allow-list entry matches nothing any more (remove it): {e}")
    return 1 if open_findings or stale else 0


@dataclass
class Locked:
    """One pinned package of the lock file."""

    name: str
    version: str


def locked_packages(lock: Path = LOCK) -> list[Locked]:
    """``name==version`` of every package in the lock file."""
    out = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if m:
            out.append(Locked(m.group(1).lower(), m.group(2)))
    return out


def _project_json(name: str) -> dict | None:
    url = f"https://pypi.org/pypi/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # nosec B310 - a fixed https URL
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def _project_json_or_error(name: str) -> dict | None | Exception:
    try:
        return _project_json(name)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
        return e


def audit(allowed: Allowed, *, require_complete: bool) -> int:
    """pip-audit on the lock file, with the fallback described in the module docstring."""
    packages = locked_packages()
    if not packages:
        print(f"audit: {LOCK.name} holds no pinned package (run `make lock`)")
        return 1
    result = subprocess.run(
        [
            str(BIN / "pip-audit"),
            "--vulnerability-service",
            "pypi",
            "--requirement",
            str(LOCK),
            "--require-hashes",
            "--disable-pip",
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        print(f"pip-audit did not run:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        return 1
    vulns: dict[str, list[dict]] = {}
    skipped: dict[str, str] = {}
    for dep in report.get("dependencies", []):
        name = dep["name"].lower()
        if dep.get("skip_reason"):
            skipped[name] = dep["skip_reason"]
        else:
            vulns[name] = dep.get("vulns", [])
    versions = {p.name: p.version for p in packages}
    not_checked: dict[str, str] = {}
    fallback = 0
    with ThreadPoolExecutor(8) as pool:  # one small request per package
        projects = dict(zip(skipped, pool.map(_project_json_or_error, skipped), strict=True))
    for name, why in sorted(skipped.items()):
        project = projects[name]
        if isinstance(project, Exception):
            not_checked[name] = f"{why}; PyPI's project data unreachable too ({project})"
            continue
        if project is None:
            not_checked[name] = "not on PyPI (installed from a local index): no advisory data"
            continue
        latest = project["info"]["version"]
        if latest == versions.get(name):
            vulns[name] = [
                {"id": v["id"], "fix_versions": v.get("fixed_in", []), "aliases": v["aliases"]}
                for v in project.get("vulnerabilities", [])
            ]
            fallback += 1
        else:
            not_checked[name] = (
                f"locked {versions.get(name)}, PyPI's latest is {latest}: per-release "
                "vulnerability data unreachable from here"
            )
    ids = {e["id"]: e for e in allowed.vulnerabilities}
    found = [(name, v) for name, vs in sorted(vulns.items()) for v in vs]
    open_vulns = [
        (n, v)
        for n, v in found
        if v["id"] not in ids and not set(v.get("aliases", [])) & ids.keys()
    ]
    print(
        f"audit: {len(packages)} locked packages; {len(vulns)} checked "
        f"({len(vulns) - fallback} by pip-audit, {fallback} by PyPI's project data), "
        f"{len(not_checked)} NOT CHECKED; {len(found)} known vulnerabilities, "
        f"{len(found) - len(open_vulns)} allow-listed, {len(open_vulns)} open"
    )
    for name, v in open_vulns:
        fixes = ", ".join(v.get("fix_versions", [])) or "no fix"
        print(f"  {name}=={versions.get(name)}: {v['id']} (fixed in {fixes})")
    if not_checked:
        print(f"  NOT CHECKED ({len(not_checked)}): these packages were not audited:")
        for name, why in not_checked.items():
            print(f"    {name}: {why}")
        if require_complete:
            print(
                "  audit incomplete: failing (--require-complete). Run it where PyPI's JSON API answers."
            )
    if open_vulns:
        return 1
    return 1 if (not_checked and require_complete) else 0


def main() -> int:
    """Run the check named on the command line; the exit code is its verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["bandit", "audit"])
    parser.add_argument("--require-complete", action="store_true")
    args = parser.parse_args()
    allowed = Allowed.load()
    if args.check == "bandit":
        return bandit(allowed)
    return audit(allowed, require_complete=args.require_complete)


if __name__ == "__main__":
    sys.exit(main())
