"""The package as a user installs it: a wheel in a fresh environment builds a project elsewhere.

The wheel is built from a copy of the sources (the checkout gets no build/ or egg-info), then
installed without its dependencies into a new virtual environment that borrows this one's
installed packages, so the test needs no network and proves the wheel carries every file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.project import ROOT, make_project

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CONTENT.md", "generator")
SAMPLE = ROOT / "tests" / "fixtures" / "valid" / "riverton.yaml"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the bin folder of a fresh environment with only the built wheel installed."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(ROOT / name, source / name)
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(wheels)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    environment = work / "env"
    venv.create(environment, with_pip=False)
    bin_dir = environment / ("Scripts" if sys.platform == "win32" else "bin")
    purelib = Path(
        subprocess.run(
            [
                str(bin_dir / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Dependencies come from this environment: a plain path line adds its site-packages
    # after the new environment's own, and does not run this one's editable-install hook.
    (purelib / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n", "utf-8")
    wheel = next(wheels.glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return bin_dir


def test_the_wheel_carries_templates_assets_and_schemas(installed: Path) -> None:
    found = subprocess.run(
        [str(installed / "python"), "-c", "import generator; print(generator.__file__)"],
        cwd=installed,  # not the checkout: `python -c` puts the working folder on the path
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    package = Path(found).parent
    assert ROOT not in package.parents, "the installed package, not the checkout, must be used"
    for relative in (
        "assets/cwb.css",
        "assets/search.js",
        "templates/case_study.md.j2",
        "templates/news/feed.xml.j2",
        "schema/case-study.schema.json",
        "schema/pillars.yaml",
        "schema/indicators.yaml",
    ):
        assert (package / relative).is_file(), relative


def test_installed_cwb_builds_a_project_elsewhere(installed: Path, tmp_path: Path) -> None:
    studies = tmp_path / "studies"
    studies.mkdir()
    shutil.copy(SAMPLE, studies / SAMPLE.name)
    paths = make_project(tmp_path / "project", case_studies=studies)
    shutil.move(studies, paths.root / "case_studies")
    completed = subprocess.run(
        [str(installed / "cwb"), "build"], cwd=paths.root, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    site = paths.root / "site"
    assert (site / "case-studies" / "riverton" / "index.html").is_file()
    assert (site / "assets" / "cwb.css").is_file()
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert "setuptools" not in completed.stderr.lower()
