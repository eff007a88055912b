"""Shared fixtures: paths to the fixture datasets and a loaded small dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from relations_cli.dataset import load
from relations_cli.model import Dataset

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.toml"
BROKEN = FIXTURES / "broken"
REPO = Path(__file__).parent.parent
BUNDLED = REPO / "data" / "pakistan-azerbaijan.toml"
# shared/ sits beside the repository (CI's clone); a worktree under wt/ finds it one level further up.
SHARED_SOURCES = next(
    (p for p in (REPO.parent / "shared" / "sources", REPO.parent.parent / "shared" / "sources") if p.is_dir()),
    REPO.parent / "shared" / "sources",
)


@pytest.fixture
def small() -> Dataset:
    """The small fixture dataset, loaded and validated."""
    return load(SMALL)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep tests away from the user's environment: no RELATIONS_DATA, a private cache dir, no pager."""
    monkeypatch.delenv("RELATIONS_DATA", raising=False)
    monkeypatch.setenv("RELATIONS_PAGER", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
