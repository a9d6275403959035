"""What the commands write, and what they print, as a user meets it at the command line.

Outputs never destroy inputs (``template --out`` refuses an existing file without
``--force``), outputs get the user's umask, progress bars appear only on a terminal and are
erased before an error, and bundled synthetic data passed by path stay labelled synthetic.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from integrity_eval.cli import SYNTHETIC_NOTE, main

# pseudo-terminals for the progress-bar tests (POSIX)
fcntl = pytest.importorskip("fcntl")
pty = pytest.importorskip("pty")
termios = pytest.importorskip("termios")

EXE = Path(sys.executable).with_name("integrity-eval")
SH_DIR = ROOT / "datasets" / "shanghai-districts"
SH_DATA = SH_DIR / "shanghai_districts_synthetic.csv"
BAR_MARKS = ("\r", "█", "step/s", "s/step", "it/s", "%|")


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@contextlib.contextmanager
def _umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------- outputs never destroy inputs
def test_template_refuses_to_overwrite_without_force(capsys, tmp_path):
    out = tmp_path / "collect.xlsx"
    out.write_bytes(b"the agency's own workbook")
    code, _, err = _cli(capsys, "template", "--framework", "shanghai-2018", "--out", out)
    assert code == 1
    assert err.startswith("错误 / Error") and "--force" in err and str(out) in err
    assert out.read_bytes() == b"the agency's own workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collect.xlsx"]  # no temp file left
    code, _, err = _cli(capsys, "template", "--framework", "shanghai-2018", "--out", out, "--force")
    assert code == 0, err
    assert out.read_bytes().startswith(b"PK")  # now an XLSX


def test_template_never_overwrites_an_input_even_with_force(capsys, tmp_path):
    units = tmp_path / "units.xlsx"
    units.write_bytes(b"not really a workbook")
    code, _, err = _cli(
        capsys,
        "template",
        "--framework",
        "shanghai-2018",
        "--units",
        units,
        "--out",
        units,
        "--force",
    )
    assert code == 2 and "输入文件" in err
    assert units.read_bytes() == b"not really a workbook"


# ------------------------------------------------------------ outputs readable by colleagues
@pytest.mark.parametrize(
    ("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)]
)
def test_outputs_follow_the_umask(capsys, tmp_path, mask, file_mode, dir_mode):
    with _umask(mask):
        code, _, err = _cli(
            capsys, "template", "--framework", "shanghai-2018", "--out", tmp_path / "t.xlsx"
        )
        assert code == 0, err
        code, _, err = _cli(capsys, "run", "--out", tmp_path / "reports", "--quiet", "--no-pdf")
        assert code == 0, err
    assert _mode(tmp_path / "t.xlsx") == file_mode
    (run,) = (tmp_path / "reports").iterdir()
    assert _mode(tmp_path / "reports") == dir_mode
    assert _mode(run) == dir_mode
    for f in run.rglob("*"):  # units/ and fonts/ are folders
        assert _mode(f) == (dir_mode if f.is_dir() else file_mode), f.name


# ----------------------------------------------------------- progress bars on a terminal only
def _run_on_terminal(argv: list[str], cwd: Path, **env: str) -> tuple[int, str]:
    """Run the command with stderr on a pseudo-terminal; returns (exit code, stderr text)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns
    proc = subprocess.Popen(
        [str(EXE), *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env={**os.environ, **env},
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def _on_a_clean_line(text: str, message: str) -> bool:
    """``message`` starts a line of its own: after a newline, or after an erased bar
    (``\r`` + blanks + ``\r``), never after a bar's characters."""
    before = text[: text.index(message)]
    if before == "" or before.endswith("\n"):
        return True
    parts = before.split("\r")
    return before.endswith("\r") and len(parts) >= 3 and parts[-2].strip() == ""


def test_bar_shown_on_a_terminal_and_erased_before_an_error(tmp_path):
    code, err = _run_on_terminal(["run", "--no-pdf", "--out", "reports"], tmp_path)
    assert code == 0
    assert "读取输入 / reading inputs" in err  # the bar was drawn
    code, err = _run_on_terminal(["run", "--data", "missing.csv", "--out", "reports"], tmp_path)
    assert code == 1
    assert "step/s" in err  # a bar was drawn before the input was read
    assert _on_a_clean_line(err, "未指定 --framework")  # a note does not break the bar
    assert _on_a_clean_line(err, "错误 / Error")  # the bar is erased before the error
    assert "step/s" not in err[err.index("错误 / Error") :]  # and not drawn again


def test_tqdm_disable_hides_the_bar_on_a_terminal(tmp_path):
    code, err = _run_on_terminal(
        ["run", "--no-pdf", "--out", "reports"], tmp_path, TQDM_DISABLE="1"
    )
    assert code == 0
    assert not any(mark in err for mark in BAR_MARKS), err


def test_log_holds_only_result_and_problems(tmp_path):
    ok = subprocess.run(
        [str(EXE), "run", "--no-pdf", "--out", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0
    assert ok.stderr == ""
    assert "完成 / done" in ok.stdout
    bad = subprocess.run(
        [str(EXE), "run", "--data", "missing.csv", "--out", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert not any(mark in bad.stderr for mark in BAR_MARKS), bad.stderr
    assert bad.stderr.startswith("未指定 --framework") or bad.stderr.startswith("错误 / Error")
    assert "错误 / Error" in bad.stderr and bad.stdout == ""


# -------------------------------------------------------- synthetic data stay labelled
def _synthetic_run(capsys, data: Path, out: Path) -> tuple[str, dict]:
    code, stdout, err = _cli(capsys, "run", "--data", data, "--out", out, "--quiet", "--no-pdf")
    assert code == 0, err
    (run,) = out.iterdir()
    assert run.name.endswith("-synthetic")
    assert SYNTHETIC_NOTE in stdout
    return run.name, json.loads((run / "manifest.json").read_text(encoding="utf-8"))


def test_bundled_synthetic_file_by_path_stays_labelled(capsys, tmp_path):
    _, manifest = _synthetic_run(capsys, SH_DATA, tmp_path / "a")
    assert manifest["synthetic"] is True
    assert manifest["synthetic_origin"] == "shanghai-districts/shanghai_districts_synthetic.csv"
    panel = SH_DIR / "shanghai_districts_panel_synthetic.csv"
    _, manifest = _synthetic_run(capsys, panel, tmp_path / "b")
    assert manifest["synthetic"] is True


def test_copy_of_synthetic_file_under_another_name_stays_labelled(capsys, tmp_path):
    copy = tmp_path / "districts_2024.csv"
    shutil.copyfile(SH_DATA, copy)
    _, manifest = _synthetic_run(capsys, copy, tmp_path / "out")
    assert manifest["synthetic_origin"] == "shanghai-districts/shanghai_districts_synthetic.csv"
    code, out, _ = _cli(capsys, "validate", "--framework", "shanghai-2018", "--data", copy)
    assert code == 0 and SYNTHETIC_NOTE in out


def test_real_data_are_not_labelled_synthetic(capsys, tmp_path):
    data = tmp_path / "districts.csv"
    text = SH_DATA.read_text(encoding="utf-8").replace(",0.", ",0.0", 1)  # not the bundled bytes
    data.write_text(text, encoding="utf-8")
    code, out, err = _cli(
        capsys, "run", "--data", data, "--out", tmp_path / "o", "--quiet", "--no-pdf"
    )
    assert code == 0, err
    (run,) = (tmp_path / "o").iterdir()
    assert not run.name.endswith("-synthetic") and SYNTHETIC_NOTE not in out


def test_atomic_writes_refuse_existing_files_and_keep_modes(tmp_path):
    from integrity_eval.io import atomic_write_text

    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    os.chmod(target, 0o600)
    with pytest.raises(FileExistsError):
        atomic_write_text(target, "theirs")
    assert target.read_text(encoding="utf-8") == "mine"
    atomic_write_text(target, "replaced", overwrite=True)  # an explicit overwrite
    assert target.read_text(encoding="utf-8") == "replaced"
    assert _mode(target) == 0o600  # a replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
