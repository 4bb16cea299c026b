"""One apply at a time per target of a checkout: an exclusive lock on
`.reconcile/<target>/apply.lock`, a `flock` (or on Windows, where there is no `fcntl`, a
`msvcrt` byte-range lock). Staging and production apply side by side; two applies to one
target cannot.

The operating system drops either lock when its holder exits, however it exits, so a crashed
apply never leaves a stale lock behind. The file also says who holds it, for the message a
second apply shows. It is emptied, never removed, on release: removing it would let two
processes lock two different files of the same name.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from pydantic import BaseModel, ConfigDict, ValidationError

from reconciler.core.safe_output import make_private_directory
from reconciler.errors import ReconcileError
from reconciler.manifests.secret_patterns import redact

STATE_DIRECTORY = Path(".reconcile")
LOCK_FILE = "apply.lock"
# Windows locks byte ranges mandatorily: the lock sits past the holder's details, which a
# second apply must still be able to read.
_WINDOWS_LOCKED_BYTE = 1 << 20


class LockHolder(BaseModel):
    model_config = ConfigDict(frozen=True)

    pid: int
    host: str
    user: str
    started_at: datetime
    command: str

    @classmethod
    def this_process(cls, command: str) -> LockHolder:
        return cls(
            pid=os.getpid(),
            host=socket.gethostname(),
            user=_user_name(),
            started_at=datetime.now(UTC),
            command=redact(command),
        )

    def describe(self) -> str:
        started = self.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"pid {self.pid} on {self.host} by {self.user}, started {started}: {self.command}"


class LockHeld(ReconcileError):
    """Another apply holds the lock of this target."""

    def __init__(self, path: Path, holder: LockHolder | None, target: str) -> None:
        self.path = path
        self.holder = holder
        who = holder.describe() if holder else "a process that has not yet said who it is"
        super().__init__(
            f"another apply to target {target!r} is running in this project ({who}); "
            f"wait for it to finish (lock file: {path})"
        )


def lock_path(target: str) -> Path:
    """Where the lock of `target` is, relative to the project's directory."""
    return STATE_DIRECTORY / target / LOCK_FILE


class ApplyLock:
    """`with ApplyLock(project_dir, "reconcile apply plan.out", "staging"):` holds the lock
    of target `staging` or raises."""

    def __init__(self, project_dir: Path, command: str, target: str) -> None:
        self.path = project_dir / lock_path(target)
        self.command = command
        self.target = target
        self._descriptor: int | None = None

    def acquire(self) -> LockHolder:
        make_private_directory(self.path.parent.parent)
        make_private_directory(self.path.parent)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_exclusively(descriptor)
        except OSError:
            holder = _read_holder(descriptor)
            os.close(descriptor)
            raise LockHeld(self.path, holder, self.target) from None
        holder = LockHolder.this_process(self.command)
        _write_holder(descriptor, holder)
        self._descriptor = descriptor
        return holder

    def release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            return
        try:
            os.ftruncate(descriptor, 0)
        finally:
            os.close(descriptor)  # closing the last descriptor releases the flock

    def __enter__(self) -> LockHolder:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _lock_exclusively(descriptor: int) -> None:
    """Lock the open file, or raise `OSError` at once if another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(descriptor, _WINDOWS_LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _write_holder(descriptor: int, holder: LockHolder) -> None:
    data = (holder.model_dump_json() + "\n").encode()
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)  # not pwrite, which Windows lacks
    os.write(descriptor, data)
    os.fsync(descriptor)


def _read_holder(descriptor: int) -> LockHolder | None:
    # The holder writes its details right after locking; in that instant the file is empty.
    os.lseek(descriptor, 0, os.SEEK_SET)  # not pread, which Windows lacks
    data = os.read(descriptor, 64 * 1024)
    try:
        return LockHolder.model_validate_json(data)
    except ValidationError:
        return None


def _user_name() -> str:
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "unknown" if sys.platform == "win32" else str(os.getuid())
