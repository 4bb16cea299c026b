"""The apply lock: one holder per target of a checkout, a clear message naming it, no stale
lock on crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reconciler.engine.applying.lock import ApplyLock, LockHeld, lock_path
from reconciler.errors import ReconcileError

HOLDER_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from reconciler.engine.applying.lock import ApplyLock

    lock = ApplyLock(Path(sys.argv[1]), "reconcile apply plan.out", sys.argv[2])
    lock.acquire()
    print("locked", flush=True)
    sys.stdin.readline()
    """
)


@contextmanager
def other_process_holding(
    project: Path, target: str = "sandbox"
) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, str(project), target],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "locked"
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def test_each_target_has_its_own_lock(tmp_path: Path) -> None:
    with other_process_holding(tmp_path, "staging"):
        with ApplyLock(tmp_path, "reconcile apply --target production", "production"):
            assert (tmp_path / lock_path("production")).is_file()
        with pytest.raises(LockHeld) as refused:
            ApplyLock(tmp_path, "reconcile apply --target staging", "staging").acquire()
    assert "another apply to target 'staging'" in str(refused.value)
    assert refused.value.path == tmp_path / ".reconcile" / "staging" / "apply.lock"


def test_a_second_apply_is_refused_with_the_holders_details(tmp_path: Path) -> None:
    with other_process_holding(tmp_path) as holder:
        with pytest.raises(LockHeld) as refused:
            ApplyLock(tmp_path, "reconcile apply manifests/", "sandbox").acquire()
        message = str(refused.value)
        assert f"pid {holder.pid} on " in message
        assert "reconcile apply plan.out" in message
        assert refused.value.holder is not None and refused.value.holder.pid == holder.pid
        assert isinstance(refused.value, ReconcileError)  # exit 1, mapped by the CLI


def test_a_crashed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    with other_process_holding(tmp_path) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        with ApplyLock(tmp_path, "reconcile apply manifests/", "sandbox") as me:
            assert me.pid == os.getpid()


def test_released_lock_can_be_taken_again_and_records_the_holder_meanwhile(
    tmp_path: Path,
) -> None:
    lock = ApplyLock(tmp_path, "reconcile apply manifests/", "sandbox")
    with lock:
        recorded = json.loads((tmp_path / lock_path("sandbox")).read_text(encoding="utf-8"))
        assert recorded["pid"] == os.getpid()
        assert recorded["command"] == "reconcile apply manifests/"
        # flock conflicts between two open files even within one process.
        with pytest.raises(LockHeld, match="another apply to target 'sandbox' is running"):
            ApplyLock(tmp_path, "reconcile apply again", "sandbox").acquire()
    assert (tmp_path / lock_path("sandbox")).read_text(encoding="utf-8") == ""
    with ApplyLock(tmp_path, "reconcile apply again", "sandbox"):
        pass
    lock.release()  # releasing twice is harmless


def test_an_unreadable_holder_record_still_gives_a_clear_message(tmp_path: Path) -> None:
    with ApplyLock(tmp_path, "reconcile apply", "sandbox"):
        (tmp_path / lock_path("sandbox")).write_text("", encoding="utf-8")
        with pytest.raises(LockHeld, match="has not yet said who it is"):
            ApplyLock(tmp_path, "reconcile apply", "sandbox").acquire()


def test_a_secret_in_the_command_line_is_not_recorded(tmp_path: Path) -> None:
    key = "sk_live_" + "b" * 24
    with ApplyLock(tmp_path, f"reconcile apply --stripe-key {key}", "sandbox") as holder:
        assert key not in holder.command
        assert key not in (tmp_path / lock_path("sandbox")).read_text(encoding="utf-8")
