"""The folders' one-way rule as a contract: web → workflows → engine, each folder's packages in layers, no import
circle (.importlinter). import-linter checks it here, so `make test` and a bare `pytest` fail on a bad import."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


BAD_IMPORTS = [
    # (the module that gains the import, the import, what import-linter must report)
    ("workflows/plan/models.py", "from web.core import config", "workflows.plan.models -> web.core.config"),
    ("web/pages.py", "from . import inbox", "web.pages -> web.inbox"),
    ("workflows/directory/units.py", "from ..plan import models", "workflows.directory.units -> workflows.plan.models"),
    ("workflows/tasks/permissions.py", "from . import inbox", "- .permissions -> .inbox (1 import)"),
]


@pytest.mark.parametrize("module, statement, reported", BAD_IMPORTS,
                         ids=["the plan importing the web layer", "a blueprint importing another",
                              "a lower package importing a higher one", "an import circle inside a package"])
def test_a_bad_import_breaks_the_contract(tmp_path, module, statement, reported):
    tree = copy_of_the_packages(tmp_path)
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{statement}  # noqa: E402,F401\n", encoding="utf-8")
    run = lint_imports(tree)
    assert run.returncode != 0
    assert reported in run.stdout
