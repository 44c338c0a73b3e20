"""The server-side secret that signs cursors.

``AIPOSTS_CURSOR_KEY`` when set. Otherwise a random key made once and kept in
``AIPOSTS_CACHE_DIR/cursor.key`` (mode 0600), so a restart and every API worker on the machine
sign and check with the same key. Several workers starting at once agree too: the file appears
in one atomic step (a hard link from a private temporary file), and whoever loses the race reads
the winner's key. When no file can be kept there (no writable home, say), the process signs
with a random key of its own and says so in the log: cursors then work within that process only.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from indexer.config import Settings

log = logging.getLogger("aiposts.api")

KEY_FILE = "cursor.key"
_KEY_BYTES = 32
_MIN_FILE_KEY_CHARS = 32

_loaded: dict[tuple[str | None, str], bytes] = {}


def key_path(settings: Settings) -> Path:
    return settings.cache_dir / KEY_FILE


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, (secrets.token_urlsafe(_KEY_BYTES) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails when another worker made the key first: theirs is kept
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _read(path: Path) -> bytes:
    try:
        if not path.exists():
            _create(path)
        mode = path.stat().st_mode & 0o777
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError as exc:  # e.g. no writable home in a container: cursors still work here
        log.warning("cannot keep a cursor key in %s (%s): this process signs with a key of its own, "
                    "so cursors do not survive a restart or reach other workers; set "
                    "AIPOSTS_CURSOR_KEY or AIPOSTS_CACHE_DIR", path, exc)
        return secrets.token_urlsafe(_KEY_BYTES).encode("ascii")
    if mode & 0o077:
        log.warning("%s is readable by others (mode %o): anyone who reads it can forge cursors",
                    path, mode)
    if len(text) < _MIN_FILE_KEY_CHARS:
        raise RuntimeError(
            f"{path} holds no usable cursor key ({len(text)} characters, {_MIN_FILE_KEY_CHARS} "
            "needed): delete it to have a new one made, or set AIPOSTS_CURSOR_KEY"
        )
    return text.encode("ascii", errors="replace")


def cursor_key(settings: Settings) -> bytes:
    """The key for ``settings``, read once per process."""
    configured = settings.cursor_key.get_secret_value() if settings.cursor_key else None
    ident = (configured, str(settings.cache_dir))
    key = _loaded.get(ident)
    if key is None:
        key = configured.encode("utf-8") if configured else _read(key_path(settings))
        _loaded[ident] = key
    return key
