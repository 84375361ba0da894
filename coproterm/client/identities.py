"""Who this machine was at each hub: resume tokens kept between runs of `coproterm join`.

A participant whose app is closed (a crash, a flat battery, a kill -9) and
started again with the same address and name comes back as the same person,
with their votes and answers. Each identity is a small file, readable by its
owner only; while an app uses an identity it holds a lock on it (released by
the kernel however the app ends), so two apps started on one laptop for two
people never take each other's place: the second gets an identity of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from coproterm.portable import lock_exclusively

SLOTS = 16
"""Apps that may join the same hub under the same name from one machine at once."""
TOKEN_BYTES = 16


def identities_dir() -> Path:
    """``$COPROTERM_DATA_DIR/identities``, or the user's data directory's."""
    if env := os.environ.get("COPROTERM_DATA_DIR"):
        return Path(env) / "identities"
    import platformdirs

    return Path(platformdirs.user_data_dir("coproterm")) / "identities"


class Identity:
    """One claimed identity: the token it had (if any), kept again once the hub answers."""

    def __init__(self, url: str, name: str, directory: Path | None = None) -> None:
        self._lock: int | None = None
        self._path: Path | None = None
        self.token: bytes | None = None
        """The resume token this identity had last time (None: a newcomer)."""
        directory = directory or identities_dir()
        stem = hashlib.sha256(f"{url}\n{name}".encode()).hexdigest()[:24]
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            return  # nowhere to keep it: the app still works, it just cannot come back after a restart
        for slot in range(SLOTS):
            path = directory / f"{stem}-{slot}"
            with contextlib.suppress(OSError):
                fd = os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
                if not lock_exclusively(fd):
                    os.close(fd)
                    continue  # another app on this machine is this identity now
                self._lock, self._path = fd, path
                with contextlib.suppress(OSError):
                    data = path.read_bytes()
                    self.token = data if len(data) == TOKEN_BYTES else None
                return

    def keep(self, token: bytes) -> None:
        """Remember the token the hub gave (written only when it changed)."""
        if self._path is None or token == self.token or len(token) != TOKEN_BYTES:
            return
        self.token = token
        temporary = self._path.with_suffix(".new")
        with contextlib.suppress(OSError):
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(token)
            os.replace(temporary, self._path)

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
