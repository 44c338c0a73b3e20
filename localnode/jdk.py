"""Finding a JDK that the requested Elasticsearch version can run on.

The integ-test distribution ships without a JDK, so one installed on the machine is used.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from localnode.errors import LocalNodeError

JVM_DIRS = (Path("/usr/lib/jvm"),)
_VERSION_RE = re.compile(r'version "([^"]+)"')


@dataclass(frozen=True)
class JavaInstall:
    home: Path
    version: str
    major: int

    @property
    def java(self) -> Path:
        return self.home / "bin" / "java"


def required_java_major(es_version: str) -> int:
    """Lowest Java feature release the given Elasticsearch major supports."""
    try:
        es_major = int(es_version.split(".", 1)[0])
    except ValueError as exc:
        raise LocalNodeError(f"cannot read Elasticsearch version {es_version!r}") from exc
    if es_major >= 9:
        return 21
    if es_major == 8:
        return 17
    return 11


def parse_java_version(output: str) -> tuple[str, int] | None:
    """(version string, feature release) from the output of ``java -version``."""
    match = _VERSION_RE.search(output)
    if not match:
        return None
    version = match.group(1)
    numbers = re.findall(r"\d+", version)
    if not numbers:
        return None
    major = int(numbers[0])
    if major == 1 and len(numbers) > 1:  # the old "1.8.0_392" scheme
        major = int(numbers[1])
    return version, major


def probe(home: Path) -> JavaInstall | None:
    """Run ``<home>/bin/java -version``; None when it is not a working Java."""
    java = home / "bin" / "java"
    if not os.access(java, os.X_OK):
        return None
    try:
        done = subprocess.run(
            [str(java), "-version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parsed = parse_java_version(done.stderr + done.stdout)
    if done.returncode != 0 or parsed is None:
        return None
    version, major = parsed
    return JavaInstall(home=home, version=version, major=major)


def candidate_homes(
    environ: Mapping[str, str] | None = None, jvm_dirs: Iterable[Path] = JVM_DIRS
) -> list[Path]:
    """JAVA_HOME, every folder under the usual JVM directories, then the ``java`` on PATH."""
    env = os.environ if environ is None else environ
    homes: list[Path] = []
    for name in ("ES_JAVA_HOME", "JAVA_HOME"):
        if env.get(name):
            homes.append(Path(env[name]))
    for base in jvm_dirs:
        if base.is_dir():
            homes.extend(sorted(p for p in base.iterdir() if p.is_dir()))
    for folder in env.get("PATH", "").split(os.pathsep):
        java = Path(folder or ".") / "java"
        if java.exists():
            homes.append(java.resolve().parent.parent)
            break
    unique: dict[Path, Path] = {}
    for home in homes:
        unique.setdefault(home.resolve(), home)
    return list(unique.values())


def find_jdk(
    minimum: int,
    java_home: str | None = None,
    environ: Mapping[str, str] | None = None,
    jvm_dirs: Iterable[Path] = JVM_DIRS,
) -> JavaInstall:
    """The configured JDK (which must be recent enough), else the newest one found."""
    if java_home:
        found = probe(Path(java_home))
        if found is None:
            raise LocalNodeError(f"AIPOSTS_JAVA_HOME={java_home} has no working bin/java")
        if found.major < minimum:
            raise LocalNodeError(
                f"AIPOSTS_JAVA_HOME={java_home} is Java {found.major}; "
                f"Java {minimum} or newer is needed"
            )
        return found
    seen: list[JavaInstall] = []
    for home in candidate_homes(environ, jvm_dirs):
        found = probe(home)
        if found is not None:
            seen.append(found)
    suitable = [j for j in seen if j.major >= minimum]
    if not suitable:
        have = ", ".join(f"Java {j.major} at {j.home}" for j in seen) or "no Java at all"
        raise LocalNodeError(
            f"no JDK {minimum} or newer found (found {have}); "
            f"install one or set AIPOSTS_JAVA_HOME"
        )
    return max(suitable, key=lambda j: (j.major, j.version))
