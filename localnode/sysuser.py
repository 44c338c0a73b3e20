"""Running the node as a dedicated system user when invoked as root (Elasticsearch refuses
to run as root)."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from localnode.errors import LocalNodeError

Report = Callable[[str], None]


@dataclass(frozen=True)
class RunAs:
    name: str
    uid: int
    gid: int


def is_root() -> bool:
    return os.geteuid() == 0


def _useradd() -> str:
    for candidate in (shutil.which("useradd"), "/usr/sbin/useradd", "/sbin/useradd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise LocalNodeError("useradd is not available to create the Elasticsearch user")


def ensure_system_user(name: str, report: Report) -> RunAs:
    """The account ``name``, created as a system user without a login shell when missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        report(f"creating system user {name} to run Elasticsearch ...")
        done = subprocess.run(
            [_useradd(), "--system", "--user-group", "--no-create-home",
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
            capture_output=True, text=True, check=False,
        )
        if done.returncode != 0 and done.returncode != 9:  # 9: created meanwhile
            raise LocalNodeError(f"useradd {name} failed: {done.stderr.strip()}") from None
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise LocalNodeError(f"AIPOSTS_ES_USER={name} is root, and Elasticsearch refuses root")
    return RunAs(name=name, uid=entry.pw_uid, gid=entry.pw_gid)


def chown_tree(top: Path, user: RunAs) -> None:
    """Give ``top`` and everything below it to ``user`` (entries already theirs are skipped)."""
    def fix(path: Path) -> None:
        st = path.lstat()
        if st.st_uid != user.uid or st.st_gid != user.gid:
            os.lchown(path, user.uid, user.gid)

    fix(top)
    for folder, dirs, files in os.walk(top):
        base = Path(folder)
        for name in dirs + files:
            fix(base / name)


def _can_search(st: os.stat_result, user: RunAs) -> bool:
    if st.st_uid == user.uid:
        return bool(st.st_mode & stat.S_IXUSR)
    if st.st_gid == user.gid:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def ensure_reachable(path: Path, user: RunAs, report: Report) -> None:
    """Let ``user`` pass through every folder above ``path`` (e.g. /root, often 0700) by
    adding the search bit for others; listing and reading stay as they were."""
    for parent in reversed(path.resolve().parents):
        st = parent.stat()
        if not _can_search(st, user):
            report(f"allowing user {user.name} to pass through {parent} (chmod o+x) ...")
            os.chmod(parent, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)
