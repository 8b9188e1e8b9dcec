"""The folders' one-way rule as a contract: web → workflows → engine, each folder's packages in layers, no import
circle (.importlinter). import-linter checks it here, so `make test` and a bare `pytest` fail on a bad import."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("engine", "workflows", "web")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the packages under ``root`` with the project's contract file; no cache left behind."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"], cwd=root,
                          capture_output=True, text=True, timeout=300, check=False)


def copy_of_the_packages(target: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__",
                                                                                      "node_modules", "static"))
    return target


def test_every_import_keeps_the_contract():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_plan_importing_the_web_layer_breaks_the_contract(tmp_path):
    tree = copy_of_the_packages(tmp_path)
    models = tree / "workflows" / "plan" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "\nfrom web.core import config  # noqa: E402,F401\n",
                      encoding="utf-8")
    run = lint_imports(tree)
    assert run.returncode != 0
    assert "workflows.plan.models -> web.core.config" in run.stdout


def test_a_blueprint_importing_another_breaks_the_contract(tmp_path):
    tree = copy_of_the_packages(tmp_path)
    pages = tree / "web" / "pages.py"
    pages.write_text(pages.read_text(encoding="utf-8") + "\nfrom . import inbox  # noqa: E402,F401\n", encoding="utf-8")
    run = lint_imports(tree)
    assert run.returncode != 0
    assert "web.pages -> web.inbox" in run.stdout


def test_a_lower_package_importing_a_higher_one_breaks_the_contract(tmp_path):
    tree = copy_of_the_packages(tmp_path)
    units = tree / "workflows" / "directory" / "units.py"
    units.write_text(units.read_text(encoding="utf-8") + "\nfrom ..plan import models  # noqa: E402,F401\n",
                     encoding="utf-8")
    run = lint_imports(tree)
    assert run.returncode != 0
    assert "workflows.directory.units -> workflows.plan.models" in run.stdout


def test_an_import_circle_inside_a_package_breaks_the_contract(tmp_path):
    tree = copy_of_the_packages(tmp_path)
    permissions = tree / "workflows" / "tasks" / "permissions.py"
    permissions.write_text(permissions.read_text(encoding="utf-8") + "\nfrom . import inbox  # noqa: E402,F401\n",
                           encoding="utf-8")
    run = lint_imports(tree)
    assert run.returncode != 0
    assert "no import circle between the packages or modules of any folder BROKEN" in run.stdout
    assert "- .permissions -> .inbox (1 import)" in run.stdout
