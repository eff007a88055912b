"""Tests of the architecture: import-linter's contracts hold, and break on an upward import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` on the package and pyproject.toml under `root`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    """Every contract in pyproject.toml holds for the package as it is."""
    done = lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    """A model that imports the runtime makes lint-imports fail, naming the import."""
    shutil.copytree(REPO / "relations_cli", tmp_path / "relations_cli")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    model = tmp_path / "relations_cli" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport relations_cli.runtime\n", encoding="utf-8")
    done = lint(tmp_path)
    assert done.returncode == 1
    assert "relations_cli.model -> relations_cli.runtime" in done.stdout
