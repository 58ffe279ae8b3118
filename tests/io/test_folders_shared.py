"""Output folders in a parent folder shared by several users (issue 25, items 7-10).

A shared parent is a real folder of mode 1777 under /tmp. Another user is emulated for real:
leftovers are made by a real writer killed with SIGKILL and then given to user 65534
(``nobody``), or a writer runs in a forked child that dropped its privileges to that user
(``os.setuid``). Those tests need root and are skipped otherwise. Signals are real: a child
process sends SIGTERM to itself at a step of the final rename that ``on_step`` reports.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from emob_sim.errors import EmobSimError
from emob_sim.io import atomic_output_dir, remove_leftovers

NOBODY = 65534
needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="emulating another user needs root (os.setuid, os.chown)"
)

#: a child that replaces ``out`` and sends itself a signal at one step of the final rename
#: (or SIGKILL), inside the CLI's own interruption handling
STEPPER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import typer
    from emob_sim.cli import _progress
    from emob_sim.io import atomic_output_dir
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal
    out, at, sig = Path(sys.argv[1]), sys.argv[2], getattr(signal, sys.argv[3])

    def on_step(step):
        if step == at:
            os.kill(os.getpid(), sig)

    try:
        with _progress(quiet=True):
            with atomic_output_dir(out, overwrite=True, on_step=on_step) as tmp:
                (tmp / "a.csv").write_text("new")
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    print("done", flush=True)
    """
)

#: a writer that stops inside the folder until it is killed
WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from emob_sim.io import atomic_output_dir
    with atomic_output_dir(Path(sys.argv[1]), overwrite=True) as tmp:
        (tmp / "a.csv").write_text("partial")
        print("writing", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def shared():
    """A parent folder that every user may write, as /tmp (mode 1777)."""
    folder = Path(tempfile.mkdtemp(prefix="emob-sim-shared-", dir="/tmp"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def write(out: Path, files: dict[str, str], **kw) -> None:
    with atomic_output_dir(out, **kw) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text)


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def tree(parent: Path) -> dict[str, bytes | None]:
    """Every path below ``parent`` (folders as None) with its bytes."""
    return {
        p.relative_to(parent).as_posix(): None if p.is_dir() else p.read_bytes()
        for p in sorted(parent.rglob("*"))
    }


def killed_writer(out: Path) -> None:
    """What a writer of ``out`` killed with SIGKILL leaves: its temporary folder and lock."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.wait(timeout=30)
    assert f".{out.name}.emob-sim.lock" in hidden(out.parent)


def give_to_nobody(parent: Path, name: str) -> None:
    """Make the leftovers of destination ``name`` another user's (lock mode 0644)."""
    for entry in parent.iterdir():
        if entry.name.startswith(f".{name}.emob-sim"):
            for path in [entry, *entry.rglob("*")]:
                os.lchown(path, NOBODY, NOBODY)
    (parent / f".{name}.emob-sim.lock").chmod(0o644)


def as_nobody(fn: Callable[[], object]) -> tuple[bool, str]:
    """Run ``fn`` in a forked child as user 65534; (it succeeded, its result or error)."""
    read, send = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                text, code = f"ok {fn()}", 0
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                text = f"{type(exc).__name__}: {exc}"
            os.write(send, text.encode())
        finally:
            os._exit(code)
    os.close(send)
    with os.fdopen(read, "rb") as pipe:
        text = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0, text


# item 7 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["renaming", "deleting"])
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_during_the_final_rename_completes_it_and_says_so(tmp_path, step, sig):
    out = tmp_path / "o"
    write(out, {"a.csv": "old", "b.csv": "old"})
    proc = subprocess.run(
        [sys.executable, "-c", STEPPER, str(out), step, sig],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 128 + getattr(signal, sig), proc.stderr
    assert f"interrupted ({sig}): the new folder {out} is complete" in proc.stderr
    assert "the old one was deleted" in proc.stderr
    assert "no output folder was changed" not in proc.stderr
    assert "Traceback" not in proc.stderr and "done" not in proc.stdout
    assert tree(out) == {
        "a.csv": b"new",
        "manifest.json": (out / "manifest.json").read_bytes(),
    }
    assert hidden(tmp_path) == []  # no .o.emob-sim-old-*, no temporary folder, no lock


def test_a_signal_while_writing_still_says_nothing_was_changed(tmp_path):
    out = tmp_path / "o"
    write(out, {"a.csv": "old"})
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            STEPPER.replace('"new")', '"new"); os.kill(os.getpid(), sig)'),
            str(out),
            "never",
            "SIGTERM",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 143, proc.stderr
    assert "interrupted (SIGTERM): no output folder was changed" in proc.stderr
    assert (out / "a.csv").read_text() == "old" and hidden(tmp_path) == []


def test_on_step_reports_the_steps_of_a_replacement(tmp_path):
    steps: list[str] = []
    write(tmp_path / "o", {"a.csv": "1"}, on_step=steps.append)
    assert steps == ["renaming"]
    write(tmp_path / "o", {"a.csv": "2"}, overwrite=True, on_step=steps.append)
    assert steps == ["renaming", "renaming", "deleting"]


# item 8 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("target_exists", [False, True])
def test_a_symlink_planted_as_the_lock_is_refused_and_followed_nowhere(shared, target_exists):
    target = shared / "precious.txt"
    if target_exists:
        target.write_text("keep me")
    lock = shared / ".victim.emob-sim.lock"
    lock.symlink_to(target)
    if os.geteuid() == 0:
        os.lchown(lock, NOBODY, NOBODY)  # planted by another user
    with pytest.raises(EmobSimError) as err:
        write(shared / "victim", {"a.csv": "1"})
    message = str(err.value)
    assert "\n" not in message
    assert f"{lock} is a symlink, not an emob-sim lock" in message
    assert target.exists() == target_exists
    if target_exists:
        assert target.read_text() == "keep me"
    assert not (shared / "victim").exists() and lock.is_symlink()
    assert hidden(shared) == [".victim.emob-sim.lock"]


def test_a_lock_that_is_not_a_file_is_refused(shared):
    os.mkfifo(shared / ".victim.emob-sim.lock")  # opening a FIFO to read would wait forever
    with pytest.raises(EmobSimError, match=r"emob-sim\.lock is not a regular file"):
        write(shared / "victim", {"a.csv": "1"})
    assert not (shared / "victim").exists()


def test_a_planted_symlink_lock_of_another_folder_is_skipped_by_the_cleanup(shared):
    killed_writer(shared / "x")
    (shared / ".x.emob-sim.lock").unlink()
    (shared / ".x.emob-sim.lock").symlink_to(shared / "made-by-the-lock")
    write(shared / "y", {"a.csv": "1"})
    assert not (shared / "made-by-the-lock").exists()
    assert (shared / "y" / "a.csv").read_text() == "1"


# item 9 ------------------------------------------------------------------------------------


@needs_root
def test_another_users_killed_writer_does_not_stop_root(shared):
    killed_writer(shared / "a")
    give_to_nobody(shared, "a")
    before = tree(shared)
    write(shared / "b", {"b.csv": "1"})
    write(shared / "a", {"a.csv": "1"})
    assert (shared / "a" / "a.csv").read_text() == "1"
    after = tree(shared)
    assert {k: v for k, v in after.items() if k in before} == before  # theirs untouched
    assert sorted(p.name for p in shared.iterdir() if not p.name.startswith(".")) == ["a", "b"]


@needs_root
def test_roots_killed_writer_does_not_stop_another_user(shared):
    old = os.umask(0o022)  # the lock file of root's killed writer: mode 0644
    try:
        killed_writer(shared / "a")
    finally:
        os.umask(old)
    before = tree(shared)
    assert as_nobody(lambda: write(shared / "b", {"b.csv": "1"})) == (True, "ok None")
    assert as_nobody(lambda: write(shared / "a", {"a.csv": "1"})) == (True, "ok None")
    assert (shared / "a").stat().st_uid == NOBODY
    after = tree(shared)
    assert {k: v for k, v in after.items() if k in before} == before


@needs_root
def test_a_lock_of_the_same_folder_that_cannot_be_opened_is_one_line(shared):
    lock = shared / ".a.emob-sim.lock"
    lock.write_text("")
    lock.chmod(0o600)  # root's, unreadable for others
    ok, text = as_nobody(lambda: write(shared / "a", {"a.csv": "1"}))
    assert not ok and "\n" not in text
    assert text.startswith("EmobSimError: --out ") and f"cannot open the lock {lock}" in text
    assert not (shared / "a").exists() and hidden(shared) == [".a.emob-sim.lock"]


@needs_root
def test_replacing_another_users_folder_is_refused_in_one_line(shared):
    write(shared / "r", {"a.csv": "roots"})
    ok, text = as_nobody(lambda: write(shared / "r", {"a.csv": "x"}, overwrite=True))
    assert not ok and "\n" not in text and text.startswith("EmobSimError: --out ")
    assert "cannot move the previous folder aside" in text
    assert (shared / "r" / "a.csv").read_text() == "roots" and hidden(shared) == []


@needs_root
def test_an_unreadable_folder_is_refused_in_one_line(shared):
    (shared / "private").mkdir(mode=0o700)
    (shared / "private" / "diary.txt").write_text("mine")
    ok, text = as_nobody(lambda: write(shared / "private", {"a.csv": "x"}, overwrite=True))
    assert not ok and "\n" not in text and text.startswith("EmobSimError: --out ")
    assert "Permission denied" in text
    assert (shared / "private" / "diary.txt").read_text() == "mine"


# item 10 -----------------------------------------------------------------------------------


def test_the_cleanup_deletes_only_folders_that_emob_sim_marked(shared):
    users = {
        ".T.emob-sim-tmp-userdata": "notes.txt",
        ".other.emob-sim-old-abc": "other/keep.txt",
        ".x.emob-sim-tmp-0123abcd": "data.csv",  # emob-sim's name pattern, but no marker
        ".y.emob-sim-old-89abcdef": "folder/keep.txt",  # would be 'put back' as y
    }
    for folder, file in users.items():
        (shared / folder / file).parent.mkdir(parents=True)
        (shared / folder / file).write_text("user data")
    killed_writer(shared / "T")
    ours = [n for n in hidden(shared) if n.startswith(".T.emob-sim-tmp-") and n not in users]
    assert len(ours) == 1 and (shared / ours[0] / ".emob-sim-tmp").is_file()
    before = tree(shared)
    write(shared / "T", {"a.csv": "1"})
    after = tree(shared)
    for folder, file in users.items():
        assert after[f"{folder}/{file}"] == b"user data"
    assert not (shared / "y").exists()
    assert not (shared / ours[0]).exists()  # the killed writer's folder went
    gone = {k for k in before if k.startswith(ours[0])} | {".T.emob-sim.lock"}  # its lock too
    assert set(before) - gone <= set(after)
    assert sorted(remove_leftovers(shared)) == []


def test_the_marker_never_reaches_the_output_folder(tmp_path):
    write(tmp_path / "o", {"a.csv": "1"}, kind="place")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a.csv", "manifest.json"]
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["files"] == ["a.csv", "manifest.json"]
