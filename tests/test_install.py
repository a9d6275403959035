"""A real install: ``pip install .`` (not editable) into a fresh virtual environment.

The wheel must carry the frameworks and every file under ``datasets/``; ``integrity-eval
run`` and ``datasets.load`` must work from another directory. To stay fast (~20 s) the new
environment borrows the dependencies of the running one through a ``.pth`` line (no
downloads: ``--no-deps``) and pip reuses its cache for the build backend.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.install

_SKIP = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "reports", "__pycache__", "*.egg-info", ".*_cache"
)


def _site_packages(prefix: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_SKIP)
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    # dependencies (and pip itself) come from the running environment, after the new one's
    # own site-packages, so the installed wheel is what gets imported
    own_site = _site_packages(env_dir)
    (own_site / "_borrow_deps.pth").write_text(
        "\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n", encoding="utf-8"
    )
    py = env_dir / "bin" / "python"
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "INTEGRITY_EVAL_DATASETS")
    }
    env["TQDM_DISABLE"] = "1"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(src)],
        check=True,
        env=env,
        cwd=tmp,
        capture_output=True,
    )
    shutil.rmtree(src)  # nothing may be read from the source tree any more
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return {"python": py, "bin": env_dir / "bin", "cwd": elsewhere, "env": env, "site": own_site}


def test_wheel_carries_every_dataset_file(installed):
    packaged = installed["site"] / "integrity_eval" / "_datasets"
    shipped = sorted(
        p.relative_to(ROOT / "datasets").as_posix()
        for p in (ROOT / "datasets").rglob("*")
        if p.is_file() and not p.name.startswith(".") and "__pycache__" not in p.parts
    )
    got = sorted(p.relative_to(packaged).as_posix() for p in packaged.rglob("*") if p.is_file())
    assert got == shipped
    assert (installed["site"] / "integrity_eval" / "frameworks" / "shanghai-2018.yaml").is_file()


def test_installed_package_loads_datasets(installed):
    code = (
        "import json, integrity_eval as ie\n"
        "ds = ie.datasets.load('asem')\n"
        "print(json.dumps({'file': ie.__file__, 'dir': str(ie.datasets.datasets_dir()),"
        " 'shape': list(ds.idata.shape), 'names': ie.datasets.available()}))\n"
    )
    out = subprocess.run(
        [str(installed["python"]), "-c", code],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        check=True,
    )
    info = json.loads(out.stdout)
    site = str(installed["site"])
    assert info["file"].startswith(site), info["file"]
    assert info["dir"] == str(installed["site"] / "integrity_eval" / "_datasets")
    assert info["shape"] == [51, 60]
    assert "shanghai-districts" in info["names"]


def test_installed_command_runs(installed):
    out = subprocess.run(
        [str(installed["bin"] / "integrity-eval"), "run", "--out", "reports"],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    (run,) = (installed["cwd"] / "reports").iterdir()
    assert run.name.endswith("-synthetic")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True
    assert (run / "league_table.csv").is_file()
