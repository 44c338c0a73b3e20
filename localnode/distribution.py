"""Fetching the Elasticsearch integ-test distribution with Maven and unpacking it once."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from localnode.errors import LocalNodeError
from localnode.locking import file_lock

GROUP_ID = "org.elasticsearch.distribution.integ-test-zip"
ARTIFACT_ID = "elasticsearch"
MVN_TIMEOUT = 1800.0

Report = Callable[[str], None]


def coordinates(version: str) -> str:
    return f"{GROUP_ID}:{ARTIFACT_ID}:{version}:zip"


def artifact_path(repository: Path, version: str) -> Path:
    """Where Maven keeps the zip inside a local repository."""
    return repository.joinpath(*GROUP_ID.split("."), ARTIFACT_ID, version,
                               f"{ARTIFACT_ID}-{version}.zip")


def default_repository() -> Path:
    return Path.home() / ".m2" / "repository"


def _account_repository() -> Path:
    """Maven's default, from the account's home (Java ignores $HOME)."""
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / ".m2" / "repository"


def find_mvn() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalNodeError(
            "mvn (Apache Maven) is not installed; it is needed once to fetch Elasticsearch "
            "(on Debian: apt-get install maven)"
        )
    return mvn


def _run_mvn(args: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [find_mvn(), "-B", *args],
            capture_output=True,
            text=True,
            timeout=MVN_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LocalNodeError(f"mvn did not finish within {MVN_TIMEOUT:.0f} s") from exc


def maven_repository() -> Path:
    """The local repository Maven is configured with (settings.xml may move it)."""
    done = _run_mvn(["-q", "help:evaluate", "-Dexpression=settings.localRepository",
                     "-DforceStdout"])
    value = done.stdout.strip().splitlines()[-1:] if done.returncode == 0 else []
    return Path(value[0]) if value else default_repository()


def fetch_zip(version: str, report: Report) -> Path:
    """The distribution zip, from the local Maven repository, fetched first when missing."""
    zip_path = artifact_path(default_repository(), version)
    if zip_path.is_file():
        return zip_path
    report(f"fetching Elasticsearch {version} with mvn (first run only) ...")
    done = _run_mvn(["-q", "dependency:get", f"-Dartifact={coordinates(version)}",
                     "-Dtransitive=false"])
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-20:]
        raise LocalNodeError(f"mvn could not fetch {coordinates(version)}", tail)
    for find in (default_repository, _account_repository, maven_repository):
        zip_path = artifact_path(find(), version)
        if zip_path.is_file():
            return zip_path
    raise LocalNodeError(f"mvn reported success but {zip_path.name} is not in the local repository")


def _member_target(root: Path, name: str) -> Path | None:
    """Target of a zip member with the top folder stripped; None for the top folder itself."""
    parts = PurePosixPath(name).parts[1:]
    if not parts:
        return None
    if any(part in ("..", "") for part in parts) or PurePosixPath(name).is_absolute():
        raise LocalNodeError(f"refusing unsafe path {name!r} in the distribution zip")
    return root.joinpath(*parts)


def unpack(zip_path: Path, dest: Path) -> None:
    """Unpack into ``dest`` (top folder stripped, file modes kept), atomically."""
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                target = _member_target(partial, info.filename)
                if target is None:
                    continue
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    os.symlink(archive.read(info).decode(), target)
                    continue
                with archive.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                if mode & 0o777:
                    os.chmod(target, mode & 0o777)
        os.rename(partial, dest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def ensure_distribution(root: Path, version: str, report: Report) -> Path:
    """``<root>/<version>``, unpacked on first use; later calls return it at once."""
    home = root / version
    launcher = home / "bin" / "elasticsearch"
    if launcher.is_file():
        return home
    root.mkdir(parents=True, exist_ok=True)
    with file_lock(root / ".install.lock"):
        if launcher.is_file():
            return home
        zip_path = fetch_zip(version, report)
        report(f"unpacking {zip_path.name} into {home} ...")
        try:
            unpack(zip_path, home)
        except zipfile.BadZipFile as exc:
            raise LocalNodeError(f"{zip_path} is not a valid zip ({exc}); delete it and retry") \
                from exc
    if not launcher.is_file():
        raise LocalNodeError(f"{launcher} is missing after unpacking {zip_path}")
    return home
