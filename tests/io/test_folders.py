"""Output folders never lose a user's file: overwrite rules, interruptions, concurrent writers.

Interruptions are real: a child process writes a folder and is sent SIGTERM or SIGKILL while
it is inside the write.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from emob_sim.errors import EmobSimError
from emob_sim.io import Interrupted, atomic_output_dir, check_out_dir, remove_leftovers

WRITER = textwrap.dedent(
    """
    import signal, sys, time
    from pathlib import Path
    from emob_sim.io import atomic_output_dir
    # Ctrl-C as at a terminal, even when this test runs where SIGINT is ignored (a background job)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    out, kind = Path(sys.argv[1]), sys.argv[2]
    with atomic_output_dir(out, kind=kind, overwrite=True) as tmp:
        (tmp / "a.csv").write_text("partial")
        print("writing", flush=True)
        time.sleep(float(sys.argv[3]))
        (tmp / "b.csv").write_text("done")
    print("written", flush=True)
    """
)


KILLED_WHILE_RENAMING = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from emob_sim.io import atomic_output_dir
    kill = lambda step: os.kill(os.getpid(), signal.SIGKILL)
    with atomic_output_dir(Path(sys.argv[1]), overwrite=True, on_step=kill) as tmp:
        (tmp / "a.csv").write_text("new")
    """
)


def start_writer(out: Path, *, kind: str = "run", sleep_s: float = 60.0) -> subprocess.Popen:
    """A child process inside ``atomic_output_dir`` (it prints 'writing' once it is there)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out), kind, str(sleep_s)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "writing", proc.stderr.read()
    return proc


def write(out: Path, files: dict[str, str], **kw) -> None:
    with atomic_output_dir(out, **kw) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text)


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_a_folder_lists_its_kind_and_files(tmp_path):
    write(tmp_path / "o", {"a.csv": "1", "b.json": "{}"}, kind="place", manifest={"seed": 3})
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest == {"kind": "place", "seed": 3, "files": ["a.csv", "b.json", "manifest.json"]}
    assert hidden(tmp_path) == []


def test_overwrite_replaces_only_a_clean_folder_of_the_same_kind(tmp_path):
    out = tmp_path / "o"
    write(out, {"a.csv": "old"}, kind="run")
    write(out, {"a.csv": "new"}, kind="run", overwrite=True)
    assert (out / "a.csv").read_text() == "new"
    (out / "plan.txt").write_text("my notes")
    with pytest.raises(EmobSimError, match=r"did not write: plan\.txt"):
        write(out, {"a.csv": "newer"}, kind="run", overwrite=True)
    assert (out / "a.csv").read_text() == "new" and (out / "plan.txt").exists()
    (out / "plan.txt").unlink()
    with pytest.raises(EmobSimError, match="holds emob-sim run output.*not place output"):
        write(out, {"a.csv": "x"}, kind="place", overwrite=True)
    assert (out / "a.csv").read_text() == "new"


def test_a_manifest_alone_does_not_make_a_folder_replaceable(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "manifest.json").write_text('{"files": []}')
    (out / "zones.csv").write_text("precious")
    with pytest.raises(EmobSimError, match="zones.csv"):
        write(out, {"a.csv": "x"}, kind="run", overwrite=True)
    assert (out / "zones.csv").read_text() == "precious"


def test_never_the_current_folder_home_or_a_folder_holding_an_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for out in (".", "", tmp_path.parent):
        with pytest.raises(EmobSimError, match="current folder|folder name|above"):
            check_out_dir(out)
    with pytest.raises(EmobSimError, match="home folder"):
        check_out_dir(Path.home(), overwrite=True)
    data = tmp_path / "data"
    data.mkdir()
    (data / "zones.csv").write_text("z")
    with pytest.raises(EmobSimError, match="holds an input"):
        check_out_dir(data, overwrite=True, protect=[data / "zones.csv"])
    assert (data / "zones.csv").read_text() == "z"


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_folders_get_the_permissions_of_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        write(tmp_path / "o", {"a.csv": "1"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "o").stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((tmp_path / "o" / "a.csv").stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_leaves_the_old_folder_and_no_temporary_folder(tmp_path):
    out = tmp_path / "o"
    write(out, {"a.csv": "old"})
    with pytest.raises(OSError, match="disk full"):
        with atomic_output_dir(out, overwrite=True) as tmp:
            (tmp / "a.csv").write_text("half")
            raise OSError("disk full")
    assert (out / "a.csv").read_text() == "old"
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_while_writing_leaves_the_destination_as_it_was(tmp_path, sig):
    out = tmp_path / "o"
    write(out, {"a.csv": "old"})
    proc = start_writer(out)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert ("KeyboardInterrupt" if sig == signal.SIGINT else f"Interrupted: {sig.name}") in err
    assert (out / "a.csv").read_text() == "old" and not (out / "b.csv").exists()
    assert hidden(tmp_path) == []  # no temporary folder, no lock file


def test_sigterm_on_a_new_folder_leaves_nothing(tmp_path):
    proc = start_writer(tmp_path / "o")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_is_a_keyboard_interrupt_naming_the_signal():
    exc = Interrupted(signal.SIGTERM)
    assert isinstance(exc, KeyboardInterrupt) and exc.signum == signal.SIGTERM
    assert str(exc) == "SIGTERM"


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    proc = start_writer(tmp_path / "killed")
    proc.kill()
    proc.wait(timeout=30)
    assert any(".killed.emob-sim-tmp-" in name for name in hidden(tmp_path))
    write(tmp_path / "next", {"a.csv": "1"})
    assert hidden(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["next"]


def test_a_live_writers_folder_is_never_removed(tmp_path):
    proc = start_writer(tmp_path / "busy")
    try:
        before = hidden(tmp_path)
        assert remove_leftovers(tmp_path) == []
        write(tmp_path / "other", {"a.csv": "1"})
        assert hidden(tmp_path) == before
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_two_writers_of_one_folder_give_one_result_and_one_error(tmp_path):
    out = tmp_path / "o"
    proc = start_writer(out, sleep_s=3.0)
    with pytest.raises(EmobSimError, match="another emob-sim process is writing"):
        write(out, {"a.csv": "second"}, overwrite=True)
    stdout, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (out / "a.csv").read_text() == "partial" and (out / "b.csv").read_text() == "done"
    assert hidden(tmp_path) == []


def test_a_replaced_folder_moved_aside_comes_back_if_the_writer_died(tmp_path):
    """A writer killed (SIGKILL) between moving the old folder aside and renaming the new one."""
    out = tmp_path / "o"
    write(out, {"a.csv": "old"})
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_RENAMING, str(out)], capture_output=True, text=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not out.exists() and len(hidden(tmp_path)) == 3  # -old-, -tmp-, lock
    remove_leftovers(tmp_path)
    assert (out / "a.csv").read_text() == "old"
    assert hidden(tmp_path) == []


def test_a_stale_empty_probe_is_removed_and_a_fresh_one_kept(tmp_path):
    stale = tmp_path / ".emob-sim-probe-dead"
    fresh = tmp_path / ".emob-sim-probe-live"
    stale.mkdir()
    fresh.mkdir()
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    write(tmp_path / "o", {"a.csv": "1"})
    assert not stale.exists() and fresh.exists()
